import path from 'node:path';
import type { Context } from '../lib/context.js';
import { ingestDriver } from '../lib/ingest.js';
import { firstStart, startErrata } from '../lib/processes.js';
import { sqliteCounter } from '../lib/store.js';

/** Errata on a fresh SQLite data directory, the default of `npm start`, driven by real SDK envelopes. */
export async function startSqlite(ctx: Context, name: string, nodeArgs: string[] = []) {
  const dataDir = path.join(ctx.tmpDir, name);
  const node = await startErrata({ name, dataDir, nodeArgs });
  const counter = sqliteCounter(path.join(dataDir, 'errata.sqlite'));
  ctx.defer(() => counter.close());
  const driver = ingestDriver(ctx, {
    name: 'Errata, SQLite',
    urls: [node.url],
    pids: [node.child.pid],
    target: firstStart(node),
    counter,
  });
  return { node, driver };
}

export async function sqlite(ctx: Context): Promise<void> {
  const { driver } = await startSqlite(ctx, 'sqlite');
  ctx.results.ingest.push(...(await driver.levels()));
}
