import path from 'node:path';
import type { Context } from '../lib/context.js';
import { ingestDriver } from '../lib/ingest.js';
import { firstStart, startErrata } from '../lib/processes.js';
import { sqliteCounter } from '../lib/store.js';

/**
 * Errata on a fresh SQLite data directory, the default of `npm start`, driven by real SDK envelopes
 * to the first start's project; `file` is its database, for more counters. `keepIds`: the driver
 * keeps the ids of the events acknowledged.
 */
export async function startSqlite(
  ctx: Context,
  name: string,
  options: { nodeArgs?: string[]; keepIds?: boolean } = {},
) {
  const { nodeArgs = [], keepIds = false } = options;
  const dataDir = path.join(ctx.tmpDir, name);
  const node = await startErrata({ name, dataDir, nodeArgs });
  const file = path.join(dataDir, 'errata.sqlite');
  const target = firstStart(node);
  const counter = sqliteCounter(file, 'events', { project: Number(target.projectId), idColumn: 'event_id' });
  ctx.defer(() => counter.close());
  const driver = ingestDriver(ctx, {
    name: 'Errata, SQLite',
    urls: [node.url],
    pids: [node.child.pid],
    target,
    counter,
    keepIds,
  });
  return { node, driver, file, target, counter };
}

export async function sqlite(ctx: Context): Promise<void> {
  const { driver } = await startSqlite(ctx, 'sqlite');
  ctx.results.ingest.push(...(await driver.levels()));
}
