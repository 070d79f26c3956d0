import { type ReactNode, useRef } from 'react';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  /** Shown but not offered, e.g. an action that needs something the subject lacks. */
  disabled?: boolean;
}

/**
 * A small drop-down of actions built on <details>: it opens with Enter or Space like any button,
 * and closes when an item is chosen or Escape is pressed. `note` is a line under the items, for
 * saying why some are disabled.
 */
export function MenuButton({
  label,
  items,
  disabled = false,
  ariaLabel,
  className = '',
  note,
}: {
  label: ReactNode;
  items: MenuItem[];
  disabled?: boolean;
  /** The accessible name, when the label alone (an arrow) does not say what the menu is. */
  ariaLabel?: string;
  className?: string;
  note?: ReactNode;
}) {
  const details = useRef<HTMLDetailsElement>(null);
  const classes = className ? `button ${className}` : 'button';
  const close = () => {
    if (details.current) details.current.open = false;
  };
  if (disabled) {
    return (
      <button type="button" className={classes} aria-label={ariaLabel} disabled>
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
      <summary className={classes} aria-label={ariaLabel}>
        {label}
      </summary>
      <div className="menu-items">
        {items.map((item) => (
          <button
            key={item.label}
            type="button"
            disabled={item.disabled}
            onClick={() => {
              close();
              item.onSelect();
            }}
          >
            {item.label}
          </button>
        ))}
        {note && <p className="menu-note">{note}</p>}
      </div>
    </details>
  );
}
