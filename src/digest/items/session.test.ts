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
import { countUsers } from '../../store/region/session-stats.js';
import { sessionOutcome } from './session.js';

const RELEASE = 'app@1.0.0';
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const ZERO = { started: 0, exited: 0, errored: 0, crashed: 0, abnormal: 0 };

describe('sessionOutcome', () => {
  it.each([
    ['ok', 0, 'ok'],
    ['ok', 3, 'errored'],
    ['exited', 0, 'exited'],
    ['exited', 2, 'errored'],
    ['errored', 0, 'errored'],
    ['crashed', 1, 'crashed'],
    ['abnormal', 0, 'abnormal'],
  ] as const)('%s with %i errors → %s', (status, errors, want) => {
    expect(sessionOutcome(status, errors)).toBe(want);
  });
});

let sids = 0;
const nextSid = () => `7c7b1c9a-1e4d-4e59-a1d1-${String(++sids).padStart(12, '0')}`;

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

  it('adds up sessions per release, environment and hour of started', async () => {
    const projectId = await world.newProject();
    const crashing = nextSid();
    await digestBody(
      world,
      projectId,
      envelope(
        'session',
        session({ sid: crashing }),
        session({ sid: crashing, init: false, status: 'crashed', errors: 1, seq: 2 }),
        session({ sid: nextSid(), started: '2026-11-28T16:59:59.999Z' }),
        session({ sid: nextSid(), attrs: { release: RELEASE } }),
        session({
          sid: nextSid(),
          attrs: { release: 'app@2.0.0', environment: 'staging' },
          status: 'abnormal',
        }),
      ),
    );
    const exiting = nextSid();
    await digestBody(world, projectId, envelope('session', session({ sid: exiting, status: 'exited' })));
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
        started: 2,
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

  it('counts a session once, at its final outcome, whatever order and repeats its updates come in', async () => {
    const projectId = await world.newProject();
    const sid = nextSid();
    const updates = [
      session({ sid, init: false, status: 'exited', errors: 1, seq: 5, did: 'ada' }),
      session({ sid, init: true, status: 'ok', seq: 1, did: 'ada' }),
      session({ sid, init: false, status: 'ok', errors: 1, seq: 3 }),
      session({ sid, init: false, status: 'exited', errors: 1, seq: 5, did: 'ada' }),
    ];
    for (const update of updates) await digestBody(world, projectId, envelope('session', update));
    const other = nextSid();
    await digestBody(
      world,
      projectId,
      envelope(
        'session',
        session({ sid: other, did: 'ada', seq: 1 }),
        session({ sid: other, init: false, status: 'crashed', seq: 9, did: 'ada' }),
        session({ sid: other, init: false, status: 'ok', seq: 10 }),
      ),
    );
    const rows = (await health(projectId)).map(
      ({ projectId: _, release, environment, bucket, ...row }) => row,
    );
    expect(rows).toEqual([{ ...ZERO, started: 2, errored: 1, crashed: 1 }]);
    const scope = { projectIds: [projectId], start: 0, end: at('2027-01-01T00:00:00Z') };
    expect(await countUsers(world.db, scope, { by: [] })).toEqual([
      { key: {}, slot: 0, severity: 3, users: 1 },
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
    const scope = { projectIds: [projectId], start: 0, end: at('2027-01-01T00:00:00Z') };
    expect(await countUsers(world.db, scope, { by: [] })).toEqual([
      { key: {}, slot: 0, severity: 3, users: 1 },
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
    ['no sid', 'session', session({ sid: undefined })],
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
