import type { BenchContext } from '../lib/context.js';
import { type ErrataNode, startErrata } from '../lib/errata.js';
import { IngestDriver } from '../lib/ingest-run.js';
import { readMemory } from '../lib/memory.js';
import { createSchema } from '../lib/postgres.js';
import type { IngestScenario } from '../lib/results.js';
import { postgresProbe } from '../lib/store-probe.js';

/**
 * Scenario 4: Errata on PostgreSQL (127.0.0.1:5432), in a schema of its own that is dropped
 * afterwards, with `nodes` `errata serve` processes on one database and the connections split
 * across their ports. The database server runs on the same two cores.
 */
export async function postgresScenario(ctx: BenchContext, nodes: 1 | 2): Promise<IngestScenario> {
  ctx.log(`errata: PostgreSQL, ${nodes} node${nodes > 1 ? 's' : ''}`);
  const schema = await createSchema();
  const started: ErrataNode[] = [];
  try {
    // One after the other: the first one migrates and creates the owner and the DSN.
    for (let i = 0; i < nodes; i++) {
      started.push(
        await startErrata({
          build: ctx.build,
          name: `errata (PostgreSQL ${i + 1}/${nodes})`,
          databaseUrl: schema.url,
        }),
      );
    }
    const first = started[0]?.firstStart;
    if (!first) throw new Error('errata serve printed no first-start DSN');
    const probe = await postgresProbe(schema.url);
    try {
      const driver = new IngestDriver(
        {
          urls: started.map((n) => n.url),
          pids: started.map((n) => n.child.pid),
          target: { publicKey: first.publicKey, projectId: first.projectId },
          probe,
          postgres: true,
        },
        ctx.captured,
        ctx.options,
        ctx.log,
      );
      const runs = await driver.runLevels();
      const counts = await probe.counts();
      return {
        id: `postgres-${nodes}`,
        title: `Errata, PostgreSQL, ${nodes} node${nodes > 1 ? 's' : ''}`,
        runs,
        fixedRate: null,
        peakRssMb: started.map((n) => readMemory(n.child.pid)?.peakMb ?? 0),
        notes: [
          `store at the end: ${counts.events} events in ${counts.issues} issues (schema ${schema.name}, dropped)`,
        ],
      };
    } finally {
      await probe.close();
    }
  } finally {
    await Promise.all(started.map((n) => n.child.stop()));
    await schema.drop();
  }
}
