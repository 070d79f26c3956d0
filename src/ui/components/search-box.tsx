import { type KeyboardEvent, type RefObject, useEffect, useId, useState } from 'react';
import { request } from '../lib/api.js';
import { qs } from '../lib/router.js';

/** Keys every search knows, with the values that are fixed; tag keys come from the organization. */
const BUILT_IN: Record<string, readonly string[] | null> = {
  'is:': ['unresolved', 'resolved', 'ignored', 'for_review', 'assigned', 'unassigned'],
  'level:': ['fatal', 'error', 'warning', 'info', 'debug'],
  'assigned:': ['me'],
  'release:': null,
  'environment:': null,
  'user.email:': null,
  'user.id:': null,
  'user.username:': null,
  'user.ip:': null,
  'has:': null,
};

/** Which user field a `user.<field>:` term searches, and where a user tag value keeps it. */
const USER_FIELDS: Record<string, 'email' | 'id' | 'username' | 'ipAddress'> = {
  'user.email': 'email',
  'user.id': 'id',
  'user.username': 'username',
  'user.ip': 'ipAddress',
};

interface TagValueSuggestion {
  value: string;
  email?: string | null;
  id?: string | null;
  username?: string | null;
  ipAddress?: string | null;
}

/** The term the caret is in: its start, its text, and the key:value parts. */
function termAt(text: string, caret: number) {
  const start = text.lastIndexOf(' ', caret - 1) + 1;
  const term = text.slice(start, caret);
  const colon = term.indexOf(':');
  return {
    start,
    term,
    key: colon > 0 ? term.slice(0, colon).replace(/^!/, '') : null,
    value: colon > 0 ? term.slice(colon + 1).replace(/^"/, '') : '',
  };
}

const quote = (v: string) => (/[\s"]/.test(v) ? `"${v.replaceAll('"', '\\"')}"` : v);

/**
 * Sentry's search box: one wide input, and suggestions for the term being typed, keys first
 * (`is:`, `level:`, the tags seen in the organization) and then their values, read from the API.
 */
export function SearchBox({
  orgSlug,
  id,
  label,
  defaultValue,
  placeholder,
  inputRef,
  onSearch,
}: {
  orgSlug: string;
  id: string;
  label: string;
  defaultValue: string;
  placeholder: string;
  inputRef?: RefObject<HTMLInputElement | null>;
  onSearch: (query: string) => void;
}) {
  const [text, setText] = useState(defaultValue);
  const [caret, setCaret] = useState(defaultValue.length);
  const [open, setOpen] = useState(false);
  // -1: none chosen with the arrow keys, so Enter searches; else Enter takes that suggestion.
  const [active, setActive] = useState(-1);
  const [tagKeys, setTagKeys] = useState<string[] | null>(null);
  const [values, setValues] = useState<string[]>([]);
  const listId = useId();
  const org = encodeURIComponent(orgSlug);
  const current = termAt(text, caret);

  // The organization's tag keys, once the box is used.
  useEffect(() => {
    if (!open || tagKeys !== null) return;
    request<{ key: string }[]>(`/organizations/${org}/tags/`).then(
      (page) => setTagKeys(page.data.map((t) => t.key)),
      () => setTagKeys([]),
    );
  }, [open, tagKeys, org]);

  // Values of the key being typed: fixed ones, or the tag's values containing what is typed.
  useEffect(() => {
    const key = current.key;
    if (!open || key === null) {
      setValues([]);
      return;
    }
    const fixed = BUILT_IN[`${key}:`];
    if (fixed) {
      setValues(fixed.filter((v) => v.startsWith(current.value)));
      return;
    }
    if (key === 'has') {
      setValues((tagKeys ?? []).filter((k) => k.startsWith(current.value)));
      return;
    }
    const userField = USER_FIELDS[key];
    const tag = userField ? 'user' : key;
    const controller = new AbortController();
    request<TagValueSuggestion[]>(
      `/organizations/${org}/tags/${encodeURIComponent(tag)}/values/${qs({ query: current.value })}`,
      { signal: controller.signal },
    ).then(
      (page) =>
        setValues([
          ...new Set(
            page.data
              .map((v) => (userField ? v[userField] : v.value))
              .filter((v): v is string => typeof v === 'string' && v !== ''),
          ),
        ]),
      () => setValues([]),
    );
    return () => controller.abort();
  }, [open, current.key, current.value, tagKeys, org]);

  const suggestions: { label: string; insert: string; complete: boolean }[] =
    current.key === null
      ? [...Object.keys(BUILT_IN), ...(tagKeys ?? []).filter((k) => k !== 'level').map((k) => `${k}:`)]
          .filter((k, i, all) => all.indexOf(k) === i && k.startsWith(current.term.replace(/^!/, '')))
          .slice(0, 12)
          .map((k) => ({
            label: k,
            insert: `${current.term.startsWith('!') ? '!' : ''}${k}`,
            complete: false,
          }))
      : values.slice(0, 12).map((v) => ({
          label: v,
          insert: `${current.term.slice(0, current.term.indexOf(':') + 1)}${quote(v)}`,
          complete: true,
        }));
  // A term already complete needs no suggestion of itself.
  const shown = open && suggestions.some((s) => s.insert !== current.term);

  const accept = (s: (typeof suggestions)[number]) => {
    const after = text.slice(caret).replace(/^\S*/, '');
    const next = `${text.slice(0, current.start)}${s.insert}${s.complete ? ' ' : ''}`;
    setText(next + after.trimStart());
    setCaret(next.length);
    setActive(-1);
    requestAnimationFrame(() => {
      const input = document.getElementById(id) as HTMLInputElement | null;
      input?.setSelectionRange(next.length, next.length);
      input?.focus();
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (shown && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + step + suggestions.length + (a < 0 && step < 0 ? 1 : 0)) % suggestions.length);
    } else if (e.key === 'Escape') {
      setOpen(false);
    } else if (e.key === 'Enter' && shown && suggestions[active]) {
      e.preventDefault();
      accept(suggestions[active]);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      setOpen(false);
      onSearch(text.trim());
    }
  };

  return (
    <search className="search search-wide">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setOpen(false);
          onSearch(text.trim());
        }}
      >
        <label className="visually-hidden" htmlFor={id}>
          {label}
        </label>
        <div className="search-field">
          <input
            id={id}
            ref={inputRef}
            name="query"
            type="search"
            role="combobox"
            aria-expanded={shown}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={shown && active >= 0 ? `${listId}-${active}` : undefined}
            value={text}
            placeholder={placeholder}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => {
              setText(e.target.value);
              setCaret(e.target.selectionStart ?? e.target.value.length);
              setActive(-1);
              setOpen(true);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? text.length)}
            onFocus={() => setOpen(true)}
            onBlur={() => setOpen(false)}
            onKeyDown={onKeyDown}
          />
          {shown && (
            // tabIndex -1: Chromium would make the scrolling list a Tab stop, which the input's
            // blur then removes, dropping focus to the page.
            <div className="suggestions" id={listId} role="listbox" aria-label="Suggestions" tabIndex={-1}>
              {suggestions.map((s, i) => (
                <div
                  key={s.label}
                  className="suggestion"
                  // The input keeps focus (aria-activedescendant points here); -1 allows a click.
                  tabIndex={-1}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === active}
                  // Chosen on mousedown, before the input's blur closes the list.
                  onMouseDown={(e) => {
                    e.preventDefault();
                    accept(s);
                  }}
                >
                  {s.label}
                </div>
              ))}
            </div>
          )}
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
    </search>
  );
}
