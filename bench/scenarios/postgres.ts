import path from 'node:path';
import type { Context } from '../lib/context.js';
import { ingestDriver } from '../lib/ingest.js';
import { type Errata, firstStart, startErrata } from '../lib/processes.js';
import { createSchema, postgresCounter } from '../lib/store.js';

/**
 * Errata on PostgreSQL at 127.0.0.1:5432, in a fresh schema, with one and then two `errata serve`
 * processes on it (the connections split between them). PostgreSQL shares the same cores.
 */
export async function postgres(ctx: Context): Promise<void> {
  for (const count of [1, 2]) {
    const url = await createSchema();
    const nodes: Errata[] = [];
    // One after the other: the first migrates and creates the owner and the DSN.
    for (let i = 1; i <= count; i++) {
      const name = `pg-${count}-${i}`;
      nodes.push(await startErrata({ name, dataDir: path.join(ctx.tmpDir, name), databaseUrl: url }));
    }
    const counter = await postgresCounter(url);
    ctx.defer(() => counter.close());
    const driver = ingestDriver(ctx, {
      name: `Errata, PostgreSQL, ${count} node${count > 1 ? 's' : ''}`,
      urls: nodes.map((n) => n.url),
      pids: nodes.map((n) => n.child.pid),
      target: firstStart(nodes[0] as Errata),
      counter,
    });
    ctx.results.ingest.push(...(await driver.levels()));
    await Promise.all(nodes.map((n) => n.child.stop()));
  }
}
