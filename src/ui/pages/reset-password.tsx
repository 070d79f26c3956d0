import { type FormEvent, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { Notice } from '../components/notice.js';
import { api, errorText } from '../lib/api.js';
import { Link } from '../lib/router.js';

const MIN_LENGTH = 8;

/**
 * The page a reset link opens: choose a new password (twice). Success signs the account out
 * everywhere; `onDone` then leads to the sign-in page.
 */
export function ResetPasswordPage({ token, onDone }: { token: string; onDone: () => void }) {
  usePageTitle('Choose a new password');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (password !== confirm) {
      setError('The two passwords differ. Type the same one twice.');
      return;
    }
    setBusy(true);
    try {
      await api.post('/auth/password-reset/confirm/', { token, password });
      onDone();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <form onSubmit={submit} className="card login-card" aria-labelledby="reset-title">
        <div className="login-brand">
          <img src="/favicon.svg" alt="" width="40" height="40" />
          <h1 id="reset-title">Choose a new password</h1>
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        <label className="field">
          <span>New password</span>
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={MIN_LENGTH}
            // biome-ignore lint/a11y/noAutofocus: the link opens this form to fill in; starting in it helps everyone.
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby="password-help"
          />
          <small id="password-help">At least {MIN_LENGTH} characters.</small>
        </label>
        <label className="field">
          <span>Confirm new password</span>
          <input
            name="confirm"
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
        </label>
        <button type="submit" className="button primary wide" disabled={busy}>
          {busy ? 'Saving…' : 'Set password'}
        </button>
        <p className="hint">
          The link works once. Expired or used? <Link to="/auth/password-reset/">Ask for a new one</Link>.
        </p>
      </form>
    </main>
  );
}
