import { type ReactNode, useId, useRef, useState } from 'react';
import { errorText } from '../lib/api.js';

interface Props {
  /** The button's text, and the confirm button's unless `confirmLabel` says otherwise. */
  label: string;
  title: string;
  children: ReactNode;
  onConfirm: () => Promise<unknown>;
  confirmLabel?: string;
  danger?: boolean;
  disabled?: boolean;
  className?: string;
}

/**
 * A button that asks first, in a modal dialog (Escape or Cancel closes it, focus returns to the
 * button), then runs `onConfirm` and shows its error in the dialog if it fails.
 */
export function ConfirmButton(props: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = () => {
    setError(null);
    dialog.current?.showModal();
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      dialog.current?.close();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className={props.className ?? `button${props.danger ? ' danger' : ''}`}
        onClick={open}
        disabled={props.disabled}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="dialog">
        <h2 id={titleId}>{props.title}</h2>
        <div className="dialog-body">{props.children}</div>
        {error && (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button
            type="button"
            className={`button ${props.danger ? 'danger' : 'primary'}`}
            onClick={confirm}
            disabled={busy}
          >
            {busy ? 'Working…' : (props.confirmLabel ?? props.label)}
          </button>
        </div>
      </dialog>
    </>
  );
}
