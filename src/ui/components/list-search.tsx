import type { FormEvent } from 'react';

/** A list page's search form: one `query` field, reset to the URL's query when that changes. */
export function ListSearch({
  id,
  label,
  placeholder,
  query,
  wide = false,
  onSubmit,
}: {
  id: string;
  label: string;
  placeholder: string;
  query: string;
  wide?: boolean;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
}) {
  return (
    <search className={wide ? 'search search-wide' : 'search'}>
      <form onSubmit={onSubmit} key={query}>
        <label className="visually-hidden" htmlFor={id}>
          {label}
        </label>
        <input
          id={id}
          name="query"
          type="search"
          defaultValue={query}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" className="button">
          Search
        </button>
      </form>
    </search>
  );
}
