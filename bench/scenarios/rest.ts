import type { Context } from '../lib/context.js';
import { runLoad } from '../lib/load.js';
import { startErrata } from '../lib/processes.js';
import { int, ms, table } from '../lib/report.js';
import { seededStore } from '../lib/seed.js';

/**
 * The REST API over a seeded store (1,000,000 events in 10,000 issues; 100,000 in 1,000 with
 * --quick), one client at a time so that latency is a request's, not a queue's.
 */
export async function rest(ctx: Context): Promise<void> {
  const { restEvents, restIssues, restDurationS } = ctx.options;
  ctx.log(`  store of ${restEvents} events in ${restIssues} issues`);
  const store = await seededStore(restEvents, restIssues, ctx.log);
  const node = await startErrata({ name: 'rest', dataDir: store.dataDir });
  const base = `/api/0/projects/${store.org}/${store.project}`;
  const endpoints: [string, string[]][] = [
    ['issue list, first page', [`${base}/issues/`]],
    ['issue search `is:unresolved level:error`', [`${base}/issues/?query=is%3Aunresolved%20level%3Aerror`]],
    ['event detail', store.sampleEventIds.map((id) => `${base}/events/${id}/`)],
  ];
  const headers = { authorization: `Bearer ${store.token}` };
  const rows: string[][] = [];
  for (const [name, paths] of endpoints) {
    const requests = paths.map((path) => ({ method: 'GET', path, headers }));
    const spec = { urls: [node.url], connections: 1, requests };
    await runLoad({ ...spec, durationS: restDurationS / 3 });
    const load = await runLoad({ ...spec, durationS: restDurationS });
    if (load.ok === 0) throw new Error(`${name}: no 2xx answer from ${paths[0]}`);
    rows.push([name, ms(load.p50Ms), ms(load.p99Ms), int(load.rps), int(load.errors)]);
    if (name.startsWith('issue list'))
      ctx.results.figures.issueList = { medianMs: load.p50Ms, events: restEvents };
  }
  const title = `## REST API, ${int(restEvents)} events in ${int(restIssues)} issues, one client`;
  ctx.results.sections.push(title, table(['endpoint', 'median ms', 'p99 ms', 'req/s', 'errors'], rows));
}
