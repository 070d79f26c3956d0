import { type ReactNode, useRef } from 'react';

/**
 * A small drop-down of actions built on <details>: it opens with Enter or Space like any button,
 * and closes when an item is chosen or Escape is pressed.
 */
export function MenuButton({
  label,
  items,
  disabled = false,
}: {
  label: ReactNode;
  items: { label: string; onSelect: () => void }[];
  disabled?: boolean;
}) {
  const details = useRef<HTMLDetailsElement>(null);
  const close = () => {
    if (details.current) details.current.open = false;
  };
  if (disabled) {
    return (
      <button type="button" className="button" disabled>
        {label}
      </button>
    );
  }
  return (
    <details
      ref={details}
      className="menu"
      onBlur={(e) => {
        // Focus leaving the menu (Tab, or a click elsewhere) closes it.
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) close();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && details.current?.open) {
          close();
          details.current.querySelector('summary')?.focus();
        }
      }}
    >
      <summary className="button">{label}</summary>
      <div className="menu-items">
        {items.map((item) => (
          <button
            key={item.label}
            type="button"
            onClick={() => {
              close();
              item.onSelect();
            }}
          >
            {item.label}
          </button>
        ))}
      </div>
    </details>
  );
}
