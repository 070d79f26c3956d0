import { useState } from 'react';

/** Copies `text` to the clipboard and says so; selects nothing else on the page. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('copied');
    } catch {
      setDone('failed');
    }
    setTimeout(() => setDone(null), 2000);
  };
  return (
    <button type="button" className="button small" onClick={copy} aria-live="polite">
      {done === 'copied' ? 'Copied' : done === 'failed' ? 'Select and copy' : label}
    </button>
  );
}

/** A value to copy: shown in full, selectable, with a copy button beside it. */
export function CopyField({ value, label }: { value: string; label: string }) {
  return (
    <div className="copy-field">
      <input aria-label={label} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      <CopyButton text={value} />
    </div>
  );
}

/** A code sample with a copy button. */
export function CodeBlock({ code, label }: { code: string; label: string }) {
  return (
    <div className="code-block">
      <figure aria-label={label}>
        <pre>
          <code>{code}</code>
        </pre>
      </figure>
      <CopyButton text={code} />
    </div>
  );
}
