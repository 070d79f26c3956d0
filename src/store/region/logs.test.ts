import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, type DigestWorld, openDigestWorld } from '../../../test/support/digest.js';
import { TEST_ENGINES } from '../../../test/support/engines.js';
import { deleteLogsBefore, insertLogs, type NewLog } from './logs.js';

const NOW = Date.UTC(2026, 11, 7, 12);

describe.each(TEST_ENGINES)('log retention on %s', (engine) => {
  let world: DigestWorld;
  beforeAll(async () => {
    world = await openDigestWorld(engine);
  });
  afterAll(() => world.close());

  const log = (projectId: number, i: number, timestamp: number): NewLog => ({
    projectId,
    itemId: i.toString(16).padStart(32, '0'),
    timestamp,
    observedTimestamp: timestamp,
    traceId: 'a'.repeat(32),
    spanId: null,
    level: 'info',
    severityNumber: 9,
    body: `log ${i}`,
    attributes: {},
    release: null,
    environment: null,
    sdk: null,
  });

  it('deletes every log before the cutoff, over several batches, and keeps the rest', async () => {
    const projectId = await world.newProject();
    // More than one delete batch of old logs, one at the cutoff itself, one after.
    const old = Array.from({ length: 5003 }, (_, i) => log(projectId, i, NOW - 1 - i));
    await insertLogs(world.db, [...old, log(projectId, 9001, NOW), log(projectId, 9002, NOW + 1)]);
    expect(await deleteLogsBefore(world.db, NOW)).toBe(5003);
    expect(await countRows(world, 'logs', projectId)).toBe(2);
    expect(await deleteLogsBefore(world.db, NOW)).toBe(0);
  });
});
