import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../../test/support/engines.js';
import { createHarness, type Harness, makeUser } from '../../test/support/harness.js';
import { assemble } from '../main.js';
import { loginDelayMs } from './sessions.js';

describe('loginDelayMs', () => {
  it('is free for the first failures, then doubles up to a ceiling', () => {
    expect([0, 1, 2].map(loginDelayMs)).toEqual([0, 0, 0]);
    expect([3, 4, 5, 6].map(loginDelayMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(loginDelayMs(40)).toBe(15 * 60 * 1000);
    expect(loginDelayMs(10_000)).toBe(15 * 60 * 1000);
  });
});

describe.each(TEST_ENGINES)('sign-in on %s', (engine) => {
  let h: Harness;
  let clock = Date.now();
  beforeAll(async () => {
    h = await createHarness(engine, {}, { now: () => clock });
  });
  afterAll(() => h.close());

  const login = (password: string, username = 'delay@example.com', app = h.app) =>
    app.inject({ method: 'POST', url: '/api/0/auth/login/', payload: { username, password } });

  it('answers a wrong password in words, then makes repeated failures wait longer, on every node', async () => {
    await makeUser(h.ctx, { email: 'delay@example.com' });
    // A second node over the same database: the delay must hold there too.
    const other = await assemble(h.ctx);
    try {
      for (let i = 0; i < 3; i++) {
        const wrong = await login('not it', i % 2 === 0 ? 'delay@example.com' : 'Delay@Example.com ');
        expect(wrong.statusCode).toBe(400);
        expect(wrong.json().detail).toMatch(/^Please enter a correct email and password/);
      }
      // The third failure earned one second: even the right password waits, on either node.
      for (const app of [h.app, other.app]) {
        const early = await login('correct horse battery', 'delay@example.com', app);
        expect(early.statusCode).toBe(429);
        expect(early.headers['retry-after']).toBe('1');
        expect(early.json().detail).toBe('Too many failed sign-in attempts. Try again in 1 second.');
      }
      clock += 1000;
      expect((await login('still wrong')).statusCode).toBe(400);
      const longer = await login('correct horse battery', 'delay@example.com', other.app);
      expect(longer.statusCode).toBe(429);
      expect(longer.headers['retry-after']).toBe('2');
      clock += 2000;
      const ok = await login('correct horse battery');
      expect(ok.statusCode).toBe(200);
      // Success clears the streak: the next mistake is free again.
      expect((await login('oops')).statusCode).toBe(400);
      expect((await login('correct horse battery')).statusCode).toBe(200);
    } finally {
      await other.app.close();
    }
  });

  it('delays unknown usernames the same way, and forgets a streak after a day', async () => {
    for (let i = 0; i < 4; i++) await login('x', 'nobody@example.com');
    const refused = await login('x', 'nobody@example.com');
    expect(refused.statusCode).toBe(429);
    clock += 25 * 3600 * 1000;
    const fresh = await login('x', 'nobody@example.com');
    expect(fresh.statusCode).toBe(400);
    expect((await login('x', 'nobody@example.com')).statusCode).toBe(400);
  });
});

// Ten wrong passwords sent at once must not all be checked: the attempt is counted before the
// slow hash runs, atomically in the database, so the free attempts are all that get a hash.
const PARALLEL = 10;
const FREE = 3;

describe.each(TEST_ENGINES)('parallel sign-in attempts on %s', (engine) => {
  let first: Harness;
  let second: Harness;
  beforeAll(async () => {
    first = await createHarness(engine);
    // A second node: its own app and connections, over the same database (SQLite file or PostgreSQL schema).
    second = await createHarness(engine, {}, { join: first.database });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  const attempt = (h: Harness, username: string) =>
    h.app.inject({ method: 'POST', url: '/api/0/auth/login/', payload: { username, password: 'wrong' } });

  function expectThrottled(answers: { statusCode: number; json(): { detail?: string } }[]) {
    const checked = answers.filter((a) => a.statusCode === 400);
    const refused = answers.filter((a) => a.statusCode === 429);
    // A 400 is said only after the password hash was compared; a 429 before it.
    expect(checked).toHaveLength(FREE);
    expect(refused).toHaveLength(PARALLEL - FREE);
    for (const a of refused) expect(a.json().detail).toMatch(/^Too many failed sign-in attempts/);
  }

  it('checks only the free attempts of ten sent at once to one node', async () => {
    await makeUser(first.ctx, { email: 'burst-one@example.com' });
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, () => attempt(first, 'burst-one@example.com')),
    );
    expectThrottled(answers);
  });

  it('holds the same limit across two nodes sharing the database', async () => {
    await makeUser(first.ctx, { email: 'burst-two@example.com' });
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        attempt(i % 2 === 0 ? first : second, 'burst-two@example.com'),
      ),
    );
    expectThrottled(answers);
  });
});
