import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../../test/fixtures/load.js';
import {
  countRows,
  type DigestWorld,
  digestBody,
  FIXTURE_RECEIVED_AT,
  openDigestWorld,
} from '../../../test/support/digest.js';
import { TEST_ENGINES } from '../../../test/support/engines.js';
import { serializeEnvelope } from '../../protocol/envelope.js';
import { findReleaseHealth } from '../../store/region/release-health.js';
import { sessionUpdateCounts } from './session.js';

const RELEASE = 'app@1.0.0';
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const ZERO = { started: 0, exited: 0, errored: 0, crashed: 0, abnormal: 0 };

describe('sessionUpdateCounts', () => {
  it.each([
    [{ init: true, status: 'ok' }, { started: 1 }],
    [{ init: true, status: 'ok', errors: 3 }, { started: 1 }],
    [{ init: false, status: 'ok' }, {}],
    [{ status: 'exited' }, { exited: 1 }],
    [{ status: 'exited', errors: 0 }, { exited: 1 }],
    [{ status: 'exited', errors: 2 }, { errored: 1 }],
    [
      { init: true, status: 'exited' },
      { started: 1, exited: 1 },
    ],
    [{ status: 'errored' }, { errored: 1 }],
    [{ status: 'crashed', errors: 1 }, { crashed: 1 }],
    [
      { init: true, status: 'abnormal' },
      { started: 1, abnormal: 1 },
    ],
    [{ init: 'true', status: 'unknown' }, {}],
    [{ status: 'exited', errors: -1 }, { exited: 1 }],
  ])('%j → %j', (update, want) => {
    expect(sessionUpdateCounts(update)).toEqual({ ...ZERO, ...want });
  });
});

function session(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sid: '7c7b1c9a1e4d4e59a1d1a8d8c4e2b6f0',
    init: true,
    started: '2026-11-28T17:10:00.000Z',
    timestamp: '2026-11-28T17:11:00.000Z',
    status: 'ok',
    errors: 0,
    attrs: { release: RELEASE, environment: 'staging' },
    ...overrides,
  };
}

const envelope = (type: string, ...payloads: unknown[]) =>
  serializeEnvelope({
    headers: {},
    items: payloads.map((payload) => ({ headers: { type }, payload: payload as object })),
  });

describe.each(TEST_ENGINES)('session digest (%s)', (engine) => {
  let world: DigestWorld;
  beforeAll(async () => {
    world = await openDigestWorld(engine);
  });
  afterAll(async () => {
    await world.close();
  });

  const health = (projectId: number) => findReleaseHealth(world.db, projectId);

  it('counts the @sentry/node session updates: two started, one exited, one errored', async () => {
    const projectId = await world.newProject();
    for (const name of [
      'exception-with-cause.session',
      'session.session',
      'session.session-2',
      'session.session-3',
    ]) {
      await digestBody(world, projectId, loadFixture('node', name).body);
    }
    expect(await health(projectId)).toEqual([
      {
        projectId,
        release: 'errata-fixtures@1.0.0',
        environment: 'fixtures',
        bucket: at('2026-11-28T17:00:00Z'),
        ...ZERO,
        started: 2,
        exited: 1,
        errored: 1,
      },
    ]);
  });

  it('counts the Python session, sent once as init and exited', async () => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, loadFixture('python', 'session.session').body);
    expect(await health(projectId)).toEqual([
      {
        projectId,
        release: 'errata-fixtures@1.0.0',
        environment: 'fixtures',
        bucket: at('2026-11-28T17:00:00Z'),
        ...ZERO,
        started: 1,
        exited: 1,
      },
    ]);
  });

  it('adds up updates per release, environment and hour of started', async () => {
    const projectId = await world.newProject();
    await digestBody(
      world,
      projectId,
      envelope(
        'session',
        session(),
        session({ init: false, status: 'crashed', errors: 1 }),
        session({ started: '2026-11-28T16:59:59.999Z' }),
        session({ attrs: { release: RELEASE } }),
        session({ attrs: { release: 'app@2.0.0', environment: 'staging' }, status: 'abnormal' }),
      ),
    );
    await digestBody(
      world,
      projectId,
      envelope('session', session({ init: false, status: 'exited', errors: 0 })),
    );
    const rows = (await health(projectId)).map(({ projectId: _, ...row }) => row);
    expect(rows).toEqual([
      {
        release: RELEASE,
        environment: 'production',
        bucket: at('2026-11-28T17:00:00Z'),
        ...ZERO,
        started: 1,
      },
      { release: RELEASE, environment: 'staging', bucket: at('2026-11-28T16:00:00Z'), ...ZERO, started: 1 },
      {
        release: RELEASE,
        environment: 'staging',
        bucket: at('2026-11-28T17:00:00Z'),
        ...ZERO,
        started: 1,
        exited: 1,
        crashed: 1,
      },
      {
        release: 'app@2.0.0',
        environment: 'staging',
        bucket: at('2026-11-28T17:00:00Z'),
        ...ZERO,
        started: 1,
        abnormal: 1,
      },
    ]);
  });

  it('reads session aggregates: every bucket counts as started, and each status by its count', async () => {
    const projectId = await world.newProject();
    const aggregates = {
      aggregates: [
        { started: '2026-11-28T15:16:00Z', did: 'u1', exited: 12, errored: 3, crashed: 1 },
        { started: '2026-11-28T15:59:00Z', exited: 2, abnormal: 1 },
        { started: '2026-11-28T16:01:00Z', errored: 4 },
        { started: 'yesterday', exited: 100 },
        { exited: 100 },
        'not a bucket',
      ],
      attrs: { release: RELEASE },
    };
    await digestBody(world, projectId, envelope('sessions', aggregates));
    await digestBody(
      world,
      projectId,
      envelope('sessions', {
        aggregates: [{ started: 1795881600.5, crashed: 2 }],
        attrs: { release: RELEASE },
      }),
    );
    const rows = (await health(projectId)).map(({ projectId: _, release, environment, ...row }) => {
      expect([release, environment]).toEqual([RELEASE, 'production']);
      return row;
    });
    expect(rows).toEqual([
      { bucket: at('2026-11-28T15:00:00Z'), started: 19, exited: 14, errored: 3, crashed: 1, abnormal: 1 },
      { bucket: at('2026-11-28T16:00:00Z'), started: 6, exited: 0, errored: 4, crashed: 2, abnormal: 0 },
    ]);
  });

  const dropped: [string, string, unknown][] = [
    ['bad JSON', 'session', '{"init":true,'],
    ['no release', 'session', session({ attrs: { environment: 'staging' } })],
    ['an empty release', 'session', session({ attrs: { release: '  ' } })],
    ['a release with a newline', 'session', session({ attrs: { release: 'a\nb' } })],
    ['no attrs', 'session', session({ attrs: undefined })],
    ['no started time', 'session', session({ started: undefined })],
    ['an unreadable started time', 'session', session({ started: 'soon' })],
    [
      'a start six days old',
      'session',
      session({ started: new Date(FIXTURE_RECEIVED_AT - 6 * 24 * HOUR).toISOString() }),
    ],
    [
      'a start in the future',
      'session',
      session({ started: new Date(FIXTURE_RECEIVED_AT + HOUR).toISOString() }),
    ],
    ['nothing to count', 'session', session({ init: false, status: 'ok' })],
    [
      'aggregates without a release',
      'sessions',
      { aggregates: [{ started: '2026-11-28T15:16:00Z', exited: 1 }] },
    ],
    ['aggregates that are not a list', 'sessions', { aggregates: {}, attrs: { release: RELEASE } }],
    [
      'empty aggregates',
      'sessions',
      { aggregates: [{ started: '2026-11-28T15:16:00Z' }], attrs: { release: RELEASE } },
    ],
  ];

  it.each(dropped)('drops an item with %s', async (_, type, payload) => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, envelope(type, payload));
    expect(await countRows(world, 'release_health', projectId)).toBe(0);
  });
});
