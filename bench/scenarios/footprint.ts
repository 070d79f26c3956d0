import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Context } from '../lib/context.js';
import { runLoad } from '../lib/load.js';
import { ingestRequests } from '../lib/payloads.js';
import { firstStart, memoryMB, sleep, startErrata } from '../lib/processes.js';
import { int, table } from '../lib/report.js';

/** Spawn to the first 200 on `GET /api/0/`: what a service manager's health check waits for. */
async function timedStart(name: string, dataDir: string) {
  const node = await startErrata({ name, dataDir });
  while ((await fetch(`${node.url}/api/0/`).catch(() => null))?.status !== 200) await sleep(5);
  return { node, ms: performance.now() - node.child.spawnedAt };
}

/**
 * Start-up on an empty data directory (migrations, the owner's scrypt) and on an existing one, idle
 * RSS, and a SIGKILL in the middle of an ingest load: every event acknowledged before it must be
 * queryable after a restart.
 */
export async function footprint(ctx: Context): Promise<void> {
  const { quick, idleSettleS, durationS, digestWaitS } = ctx.options;
  const dataDir = path.join(ctx.tmpDir, 'footprint');
  // fetch loads its HTTP client on first use: not a cost of the server's start-up.
  await fetch('http://127.0.0.1:1/').catch(() => {});
  const first = await timedStart('first start', dataDir);
  await first.node.child.stop();
  const restarts: number[] = [];
  let idleMB = 0;
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const again = await timedStart('restart', dataDir);
    restarts.push(again.ms);
    if (i === 0) {
      await sleep(idleSettleS * 1000);
      idleMB = memoryMB(again.node.child.pid).rss;
    }
    await again.node.child.stop();
  }
  const restartMs = restarts.sort((a, b) => a - b)[restarts.length >> 1] as number;

  const loaded = await startErrata({ name: 'killed under load', dataDir });
  const acknowledged: string[] = [];
  const onResponse = (status: number, body: string) => {
    if (status === 200) acknowledged.push((JSON.parse(body) as { id: string }).id);
  };
  const [ingest] = ingestRequests(firstStart(first.node));
  const requests = [{ ...ingest, onResponse }];
  const load = runLoad({ urls: [loaded.url], connections: 64, durationS, requests });
  await sleep((durationS * 1000) / 2);
  loaded.child.process.kill('SIGKILL');
  await load;
  await startErrata({ name: 'restart after SIGKILL', dataDir });
  const db = new SQLite(path.join(dataDir, 'errata.sqlite'), { readonly: true });
  const stored = db.prepare('select 1 from events where event_id = ?').pluck();
  const missing = () => acknowledged.filter((id) => stored.get(id) === undefined).length;
  const deadline = performance.now() + digestWaitS * 1000;
  while (missing() > 0 && performance.now() < deadline) await sleep(100);
  const lost = missing();
  db.close();

  Object.assign(ctx.results.figures, {
    startup: { firstMs: first.ms, restartMs },
    idle: { rssMB: idleMB, afterS: idleSettleS },
    sigkill: { acknowledged: acknowledged.length, lost },
  });
  const head = [
    'first start',
    'restart',
    `RSS after ${idleSettleS} s idle`,
    'acknowledged, then SIGKILL',
    'lost',
  ];
  const row = [
    `${int(first.ms)} ms`,
    `${int(restartMs)} ms`,
    `${idleMB.toFixed(0)} MB`,
    int(acknowledged.length),
  ];
  ctx.results.sections.push('## Footprint', table(head, [[...row, `${lost}`]]));
}
