import { type FormEvent, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { Notice } from '../components/notice.js';
import { api, errorText } from '../lib/api.js';
import { Link } from '../lib/router.js';

/**
 * Asks for a password-reset link by email. The server answers alike whether or not an account
 * uses the address, so the page says what happens if one does.
 */
export function ForgotPasswordPage() {
  usePageTitle('Reset your password');
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/auth/password-reset/', { email });
      setSentTo(email.trim());
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <form onSubmit={submit} className="card login-card" aria-labelledby="forgot-title">
        <div className="login-brand">
          <img src="/favicon.svg" alt="" width="40" height="40" />
          <h1 id="forgot-title">Reset your password</h1>
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        {sentTo ? (
          <Notice kind="success">
            If an account uses {sentTo}, an email with a link to choose a new password is on its way. The link
            works once, for a limited time.
          </Notice>
        ) : (
          <>
            <p className="muted">Enter the email address of your account, and we'll email you a link.</p>
            <label className="field">
              <span>Email</span>
              <input
                name="email"
                type="email"
                autoComplete="username"
                required
                // biome-ignore lint/a11y/noAutofocus: the page has one field; starting in it helps everyone.
                autoFocus
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </label>
            <button type="submit" className="button primary wide" disabled={busy}>
              {busy ? 'Sending…' : 'Email me a link'}
            </button>
          </>
        )}
        <p className="hint">
          <Link to="/auth/login/">Back to sign in</Link>
        </p>
      </form>
    </main>
  );
}
