import { type FormEvent, useEffect, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { Notice } from '../components/notice.js';
import { ApiError, api, errorText } from '../lib/api.js';
import { Link, useLocation } from '../lib/router.js';
import type { User } from '../lib/types.js';

/** Sign in with email and password; the server sets the session and CSRF cookies. */
export function LoginPage({ onSignedIn }: { onSignedIn: (user: User) => void }) {
  usePageTitle('Sign in');
  // Back from choosing a new password (reset-password.tsx).
  const passwordChanged = useLocation().search.get('reset') === 'done';
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // After repeated failures the server makes us wait; count the seconds down on the button.
  const [waitUntil, setWaitUntil] = useState(0);
  const [now, setNow] = useState(Date.now());
  const waiting = Math.ceil((waitUntil - now) / 1000);

  useEffect(() => {
    if (waitUntil <= Date.now()) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [waitUntil]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api.post<{ user: User }>('/auth/login/', { username, password });
      onSignedIn(result.user);
    } catch (e) {
      setError(errorText(e));
      if (e instanceof ApiError && e.status === 429) {
        const seconds = Number(/in (\d+) second/.exec(e.message)?.[1] ?? 1);
        setWaitUntil(Date.now() + seconds * 1000);
        setNow(Date.now());
      }
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <form onSubmit={submit} className="card login-card" aria-labelledby="login-title">
        <div className="login-brand">
          <img src="/favicon.svg" alt="" width="40" height="40" />
          <h1 id="login-title">Sign in to Errata</h1>
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        {passwordChanged && !error && (
          <Notice kind="success">
            Your password was changed, and every session of your account was signed out. Sign in with the new
            password.
          </Notice>
        )}
        <label className="field">
          <span>Email</span>
          <input
            name="username"
            type="email"
            autoComplete="username"
            required
            // biome-ignore lint/a11y/noAutofocus: the sign-in page has one job; starting in its first field helps everyone.
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="button primary wide" disabled={busy || waiting > 0}>
          {busy ? 'Signing in…' : waiting > 0 ? `Wait ${waiting} s` : 'Sign in'}
        </button>
        <p className="hint">
          <Link to="/auth/password-reset/">Forgot password?</Link>
        </p>
        <p className="hint">
          First start? The owner's email and password were printed on the server's terminal, or written to{' '}
          <code>first-start.txt</code> in its data directory. Lost them? An administrator can run{' '}
          <code>errata user create</code>.
        </p>
      </form>
    </main>
  );
}
