import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  type DigestWorld,
  digestBody,
  FIXTURE_RECEIVED_AT,
  openDigestWorld,
} from '../../../test/support/digest.js';
import { TEST_ENGINES } from '../../../test/support/engines.js';
import { serializeEnvelope } from '../../protocol/envelope.js';
import { findUserReports } from '../../store/region/user-reports.js';

const EVENT_ID = 'dddddddddddddddddddddddddddddddd';
const FEEDBACK_ID = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';

const envelope = (type: string, payload: unknown, headers: Record<string, unknown> = {}) =>
  serializeEnvelope({ headers, items: [{ headers: { type }, payload: payload as object }] });

function feedback(
  overrides: Record<string, unknown> = {},
  context: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    event_id: FEEDBACK_ID,
    type: 'feedback',
    timestamp: FIXTURE_RECEIVED_AT / 1000 - 60,
    platform: 'javascript',
    contexts: {
      feedback: {
        message: 'The checkout button does nothing',
        contact_email: 'ada@example.com',
        name: 'Ada',
        url: 'https://shop.example/checkout',
        associated_event_id: EVENT_ID,
        ...context,
      },
    },
    ...overrides,
  };
}

describe.each(TEST_ENGINES)('user report digest (%s)', (engine) => {
  let world: DigestWorld;
  beforeAll(async () => {
    world = await openDigestWorld(engine);
  });
  afterAll(async () => {
    await world.close();
  });

  it('stores a legacy user report against the event it names', async () => {
    const projectId = await world.newProject();
    const report = {
      event_id: EVENT_ID.toUpperCase(),
      email: 'ada@example.com',
      name: 'Ada',
      comments: 'It broke when I clicked pay.',
    };
    await digestBody(world, projectId, envelope('user_report', report, { event_id: FEEDBACK_ID }));
    const [stored, ...more] = await findUserReports(world.db, projectId, EVENT_ID);
    expect(more).toHaveLength(0);
    expect(stored).toMatchObject({
      eventId: EVENT_ID,
      name: 'Ada',
      email: 'ada@example.com',
      comments: 'It broke when I clicked pay.',
      dateCreated: FIXTURE_RECEIVED_AT,
      data: report,
    });
  });

  it("falls back to the envelope's event id and leaves missing names empty", async () => {
    const projectId = await world.newProject();
    await digestBody(
      world,
      projectId,
      envelope('user_report', { comments: 'hm', name: ' ' }, { event_id: EVENT_ID }),
    );
    const [stored] = await findUserReports(world.db, projectId);
    expect(stored).toMatchObject({ eventId: EVENT_ID, name: null, email: null, comments: 'hm' });
  });

  it('stores a feedback event against its associated event, at its time', async () => {
    const projectId = await world.newProject();
    const payload = feedback();
    await digestBody(world, projectId, envelope('feedback', payload, { event_id: FEEDBACK_ID }));
    const [stored] = await findUserReports(world.db, projectId);
    expect(stored).toMatchObject({
      eventId: EVENT_ID,
      name: 'Ada',
      email: 'ada@example.com',
      comments: 'The checkout button does nothing',
      dateCreated: FIXTURE_RECEIVED_AT - 60_000,
      data: payload,
    });
  });

  it('stores feedback about no event, with name and email from the user', async () => {
    const projectId = await world.newProject();
    const payload = feedback(
      { user: { email: 'grace@example.com', username: 'grace' } },
      { associated_event_id: undefined, name: undefined, contact_email: undefined },
    );
    await digestBody(world, projectId, envelope('feedback', payload));
    const [stored] = await findUserReports(world.db, projectId);
    expect(stored).toMatchObject({ eventId: null, name: 'grace', email: 'grace@example.com' });
  });

  it.each([
    ['user_report', 'bad JSON', '{"comments":'],
    ['user_report', 'no comments', { event_id: EVENT_ID, name: 'Ada' }],
    ['user_report', 'no event id anywhere', { comments: 'lost' }],
    ['user_report', 'a malformed event id and none in the envelope', { event_id: 'x', comments: 'lost' }],
    ['feedback', 'bad JSON', '{"contexts":'],
    ['feedback', 'no feedback context', feedback({ contexts: {} })],
    ['feedback', 'an empty message', feedback({}, { message: '' })],
    ['feedback', 'a message that is not text', feedback({}, { message: 42 })],
  ])('skips a %s item with %s', async (type, _, payload) => {
    const projectId = await world.newProject();
    await digestBody(world, projectId, envelope(type, payload), { eventId: null });
    expect(await countRows(world, 'user_reports', projectId)).toBe(0);
  });
});
