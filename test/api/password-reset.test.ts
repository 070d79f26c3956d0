import { describe, expect, it } from 'vitest';
import { settleAfterReply } from '../../src/api/after-reply.js';
import { hashToken } from '../../src/auth/tokens.js';
import { RESET_REQUESTS_PER_WINDOW } from '../../src/services/password-reset.js';
import { TEST_ENGINES } from '../support/engines.js';
import { createHarness, type Harness, makeUser, signIn, TEST_URL } from '../support/harness.js';
import { openedForTests } from '../support/lifecycle.js';
import { linkIn } from '../support/mail.js';

// Account recovery through the API as the web UI walks it: ask for a link by email, read it from
// the mail queued for the address, set a new password with it, sign in. The services' clock is
// moved by hand, so expiry and the request limit are tested without waiting.

const MINUTE = 60_000;
const OLD_PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'staple battery horse correct';
const INVALID = 'This password reset link is invalid or has already been used. Ask for a new one.';
const EXPIRED = 'This password reset link has expired. Ask for a new one.';

describe.each(TEST_ENGINES)('password reset on %s', (engine) => {
  let clock = Date.parse('2026-12-09T08:00:00.000Z');
  const h = openedForTests(() => createHarness(engine, {}, { now: () => clock }));
  let seq = 0;
  const person = () => makeUser(h.ctx, { email: `reset-${++seq}@recover.test` });

  const ask = (email: string) =>
    h.request({ method: 'POST', url: '/api/0/auth/password-reset/', payload: { email } });
  const confirm = (token: string, password = NEW_PASSWORD) =>
    h.request({ method: 'POST', url: '/api/0/auth/password-reset/confirm/', payload: { token, password } });
  const signInStatus = async (harness: Harness, email: string, password: string) =>
    (
      await harness.request({
        method: 'POST',
        url: '/api/0/auth/login/',
        payload: { username: email, password },
      })
    ).statusCode;

  /** Asks for a link for `email` and reads the secret out of the `n`th email to it. */
  async function linkFor(email: string, n = 1): Promise<string> {
    expect((await ask(email)).statusCode).toBe(204);
    const mail = await h.mail.waitForEmail(email, n);
    const link = linkIn(mail, `${TEST_URL}/auth/reset/`);
    expect(link).toMatch(new RegExp(`^${TEST_URL}/auth/reset/[A-Za-z0-9_-]{43}/$`));
    return link.split('/').at(-2) as string;
  }

  it('answers an unknown address exactly as a known one, and mails only the known one', async () => {
    const known = await person();
    const unknown = `nobody-${seq}@recover.test`;
    const a = await ask(known.email);
    const b = await ask(unknown);
    const shape = (res: typeof a) => ({
      status: res.statusCode,
      body: res.body,
      headers: Object.keys(res.headers)
        .filter((k) => k !== 'date')
        .sort(),
    });
    expect(shape(a)).toEqual(shape(b));
    expect(a.statusCode).toBe(204);
    const mail = await h.mail.waitForEmail(known.email);
    expect(mail.to).toBe(known.email);
    expect(mail.subject).toBe('Reset your Errata password');
    const link = linkIn(mail, `${TEST_URL}/auth/reset/`);
    expect(mail.text).toContain('within 1 hour');
    expect(mail.html).toContain(`<a href="${link}">${link}</a>`);
    // Into this node's region's outbox.
    expect(mail.db).toBe(h.ctx.db.region);
    await settleAfterReply(h.ctx);
    expect(h.mail.to(unknown)).toEqual([]);
  });

  it('keeps only a hash of the link, and the link sets the password once, ending every session', async () => {
    const user = await person();
    const before = await signIn(h, user.email);
    const secret = await linkFor(user.email);
    const rows = await h.ctx.db.control.selectFrom('password_resets').selectAll().execute();
    expect(rows.some((r) => r.token_hash === hashToken(secret))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(secret);

    const done = await confirm(secret);
    expect(done.statusCode, done.body).toBe(204);
    expect(done.body).toBe('');
    // The session from before the reset is gone.
    const old = await h.request({
      method: 'GET',
      url: '/api/0/api-tokens/',
      headers: { cookie: before.cookie },
    });
    expect(old.statusCode).toBe(401);
    expect(await signInStatus(h, user.email, OLD_PASSWORD)).toBe(400);
    expect(await signInStatus(h, user.email, NEW_PASSWORD)).toBe(200);

    const again = await confirm(secret, 'yet another passphrase');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ token: [INVALID], detail: INVALID });
    expect(await signInStatus(h, user.email, NEW_PASSWORD)).toBe(200);
  });

  it('ends the other links of the person when one is used', async () => {
    const user = await person();
    const first = await linkFor(user.email, 1);
    const second = await linkFor(user.email, 2);
    expect(first).not.toBe(second);
    expect((await confirm(second)).statusCode).toBe(204);
    const res = await confirm(first, 'a third passphrase');
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toBe(INVALID);
    expect(await signInStatus(h, user.email, NEW_PASSWORD)).toBe(200);
  });

  it('refuses an expired link, and takes one just inside its hour', async () => {
    const user = await person();
    const late = await linkFor(user.email, 1);
    clock += 59 * MINUTE;
    const timely = await linkFor(user.email, 2);
    clock += 2 * MINUTE;
    const res = await confirm(late);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ token: [EXPIRED], detail: EXPIRED });
    expect(await signInStatus(h, user.email, OLD_PASSWORD)).toBe(200);
    clock += 57 * MINUTE;
    expect((await confirm(timely)).statusCode).toBe(204);
  });

  it('refuses a short password without using the link up', async () => {
    const user = await person();
    const secret = await linkFor(user.email);
    const res = await confirm(secret, 'short');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      password: ['This password is too short. It must contain at least 8 characters.'],
      detail: 'This password is too short. It must contain at least 8 characters.',
    });
    expect((await confirm(secret)).statusCode).toBe(204);
  });

  it('lets the new password in at once after a streak of failed sign-ins', async () => {
    const user = await person();
    for (let i = 0; i < 4; i++) await signInStatus(h, user.email, 'wrong guess');
    expect(await signInStatus(h, user.email, OLD_PASSWORD)).toBe(429);
    expect((await confirm(await linkFor(user.email))).statusCode).toBe(204);
    expect(await signInStatus(h, user.email, NEW_PASSWORD)).toBe(200);
  });

  it('limits the links one address is sent, known or not, and forgets after the window', async () => {
    const user = await person();
    const unknown = `nobody-${seq}@recover.test`;
    for (let i = 0; i < RESET_REQUESTS_PER_WINDOW; i++) {
      expect((await ask(user.email)).statusCode).toBe(204);
      expect((await ask(unknown)).statusCode).toBe(204);
    }
    await h.mail.waitForEmail(user.email, RESET_REQUESTS_PER_WINDOW);
    const limited = [await ask(user.email.toUpperCase()), await ask(unknown)];
    for (const res of limited) {
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('3600');
      expect(res.json()).toEqual({
        detail: 'Too many password reset requests for this address. Try again in 60 minutes.',
      });
    }
    // Another address is not held up.
    expect((await ask(`other-${seq}@recover.test`)).statusCode).toBe(204);
    clock += 60 * MINUTE;
    expect((await ask(user.email)).statusCode).toBe(204);
    await h.mail.waitForEmail(user.email, RESET_REQUESTS_PER_WINDOW + 1);
    expect(h.mail.to(user.email)).toHaveLength(RESET_REQUESTS_PER_WINDOW + 1);
  });

  it('sends nothing to a deactivated account', async () => {
    const user = await person();
    await h.ctx.db.control.updateTable('users').set({ is_active: 0 }).where('id', '=', user.id).execute();
    const other = await person();
    expect((await ask(user.email)).statusCode).toBe(204);
    expect((await ask(other.email)).statusCode).toBe(204);
    await settleAfterReply(h.ctx);
    expect(h.mail.to(other.email)).toHaveLength(1);
    expect(h.mail.to(user.email)).toEqual([]);
  });

  it('honours ERRATA_PASSWORD_RESET_MINUTES', async () => {
    let now = clock;
    const short = await createHarness(engine, { ERRATA_PASSWORD_RESET_MINUTES: '5' }, { now: () => now });
    try {
      const user = await makeUser(short.ctx, { email: 'five@recover.test' });
      const res = await short.request({
        method: 'POST',
        url: '/api/0/auth/password-reset/',
        payload: { email: user.email },
      });
      expect(res.statusCode).toBe(204);
      const mail = await short.mail.waitForEmail(user.email);
      expect(mail.text).toContain('within 5 minutes');
      const secret = linkIn(mail, `${TEST_URL}/auth/reset/`).split('/').at(-2) as string;
      now += 5 * MINUTE;
      const late = await short.request({
        method: 'POST',
        url: '/api/0/auth/password-reset/confirm/',
        payload: { token: secret, password: NEW_PASSWORD },
      });
      expect(late.json().detail).toBe(EXPIRED);
      expect(await signInStatus(short, user.email, OLD_PASSWORD)).toBe(200);
    } finally {
      await short.close();
    }
  });
});
