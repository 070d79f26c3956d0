import type { BenchContext } from '../lib/context.js';
import { startErrata } from '../lib/errata.js';
import { get } from '../lib/http.js';
import { runLoad } from '../lib/load.js';
import { readMemory } from '../lib/memory.js';
import type { RestEndpointResult, RestScenario } from '../lib/results.js';
import { seededStore } from '../lib/seed-store.js';
import { getTraffic } from '../lib/traffic.js';

/** One client at a time: the latency of a request, not of a queue. */
const CONNECTIONS = 1;

/**
 * Scenario 5: the REST API over a seeded store (1,000,000 events in 10,000 issues; 100,000 in
 * 1,000 with --quick): the issue list's first page, an issue search, and event details by id.
 */
export async function restScenario(ctx: BenchContext): Promise<RestScenario> {
  const { options } = ctx;
  ctx.log(`REST API: ${options.restEvents} events in ${options.restIssues} issues`);
  const store = await seededStore(
    ctx.build,
    { events: options.restEvents, issues: options.restIssues },
    ctx.log,
  );
  const node = await startErrata({ build: ctx.build, name: 'errata (REST)', dataDir: store.dataDir });
  try {
    const base = `/api/0/projects/${store.org}/${store.project}`;
    const endpoints = [
      { name: 'issue list, first page', paths: [`${base}/issues/`] },
      {
        name: 'issue search `is:unresolved level:error`',
        paths: [`${base}/issues/?query=${encodeURIComponent('is:unresolved level:error')}`],
      },
      { name: 'event detail', paths: store.sampleEventIds.map((id) => `${base}/events/${id}/`) },
    ];
    const notes: string[] = [];
    const results: RestEndpointResult[] = [];
    for (const endpoint of endpoints) {
      const first = endpoint.paths[0] as string;
      const probe = await get(`${node.url}${first}`, { authorization: `Bearer ${store.token}` });
      if (probe.status !== 200)
        notes.push(`${endpoint.name}: \`GET ${first}\` answers ${probe.status} ${probe.body.slice(0, 200)}`);
      const requests = getTraffic(endpoint.paths, store.token);
      await runLoad({
        urls: [node.url],
        connections: CONNECTIONS,
        durationS: options.restDurationS / 3,
        requests,
      });
      const load = await runLoad({
        urls: [node.url],
        connections: CONNECTIONS,
        durationS: options.restDurationS,
        requests,
        pids: [node.child.pid],
      });
      ctx.log(
        `  ${endpoint.name}: median ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, ${load.errors} errors`,
      );
      results.push({ name: endpoint.name, path: first, load });
    }
    return {
      events: store.events,
      issues: store.issues,
      fileBytes: store.fileBytes,
      seededInS: store.seededInS,
      endpoints: results,
      peakRssMb: readMemory(node.child.pid)?.peakMb ?? 0,
      notes,
    };
  } finally {
    await node.child.stop();
  }
}
