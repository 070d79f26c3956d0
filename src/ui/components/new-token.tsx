import { CopyField } from './copy-button.js';
import { Notice } from './notice.js';

/** A token just created: shown this once, with what to do with it. */
export function NewToken({ token, onDone }: { token: string; onDone: () => void }) {
  return (
    <div className="new-token">
      <Notice kind="success">
        Copy this token now: Errata keeps only its hash and will never show it again.
      </Notice>
      <CopyField label="New token" value={token} />
      <p className="muted">
        Use it as <code>Authorization: Bearer …</code>, or as <code>SENTRY_AUTH_TOKEN</code> for sentry-cli
        with <code>SENTRY_URL={window.location.origin}</code>.
      </p>
      <button type="button" className="button" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}
