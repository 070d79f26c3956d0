import type { Context } from '../lib/context.js';
import { startSqlite } from './sqlite.js';

/**
 * Latency while the server keeps up: SQLite ingest at c=64 and half the best rate the SQLite
 * scenario measured (measured here first when it did not run).
 */
export async function fixedRate(ctx: Context): Promise<void> {
  const { ingest } = ctx.results;
  const { driver } = await startSqlite(ctx, 'fixed-rate');
  await driver.warmUp();
  if (!ingest.some((r) => r.server === 'Errata, SQLite')) ingest.push(await driver.run(64));
  const best = Math.max(...ingest.filter((r) => r.server === 'Errata, SQLite').map((r) => r.load.rps));
  const rate = Math.max(100, Math.round(best / 2 / 100) * 100);
  const row = await driver.run(64, rate);
  ingest.push(row);
  ctx.results.figures.fixedRate = { rate, p99Ms: row.load.p99Ms };
}
