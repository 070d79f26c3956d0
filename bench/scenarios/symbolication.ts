import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { Request } from 'autocannon';
import { ParsedSourceMap } from '../../src/lib/parsed-source-map.js';
import { SourceText } from '../../src/lib/source-text.js';
import type { Context } from '../lib/context.js';
import { runLoad } from '../lib/load.js';
import { buildAndUpload, type MinifiedApp, type NodeFrame, RUN_AS } from '../lib/minified-app.js';
import { cpuMs, firstStart, sleep, startErrata } from '../lib/processes.js';
import { int, ms, table } from '../lib/report.js';
import { sqliteCounter, waitForEvents } from '../lib/store.js';

/** Frames per event, all in the minified bundle, all mapped. */
const DEPTH = 20;
/** Functions in the apps' padding: the load's app has a small map; the cold ones about 1 MB. */
const SMALL_PADDING = 50;
const LARGE_PADDING = 7500;
const COLD_MAPS = 3;
const TARGET_SHARE = 0.7;

/** The captured @sentry/node error event, its stack trace replaced by the bundle's frames. */
export function eventOf(frames: NodeFrame[], debugId: string | null): Record<string, unknown> {
  const file = path.resolve(import.meta.dirname, '../payloads/node/error-2.body');
  const event = JSON.parse(readFileSync(file, 'utf8').split('\n')[2] as string);
  const [exception] = event.exception.values;
  exception.stacktrace = { frames };
  event.timestamp = Date.now() / 1000;
  if (debugId) event.debug_meta = { images: [{ type: 'sourcemap', code_file: RUN_AS, debug_id: debugId }] };
  return event;
}

/** autocannon requests of the event, each with an event id never sent before (the first ones are `ids`). */
export function requestsOf(event: Record<string, unknown>, target: { projectId: string; publicKey: string }) {
  const placeholder = 'f'.repeat(32);
  const text = [
    JSON.stringify({ event_id: placeholder, sent_at: new Date().toISOString() }),
    '{"type":"event"}',
    JSON.stringify({ ...event, event_id: placeholder }),
  ].join('\n');
  const parts = text.split(placeholder);
  const prefix = randomBytes(8).toString('hex');
  let sent = 0;
  const nextId = () => prefix + (sent++).toString(16).padStart(16, '0');
  const path = `/api/${target.projectId}/envelope/?sentry_version=7&sentry_key=${target.publicKey}`;
  const requests: Request[] = [
    {
      method: 'POST',
      setupRequest: (request) => Object.assign(request, { method: 'POST', path, body: parts.join(nextId()) }),
    },
  ];
  return {
    requests,
    firstId: `${prefix}${'0'.padStart(16, '0')}`,
    body: (id: string) => parts.join(id),
    path,
  };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** The in-process cost of a cold map: unpack (as stored), parse, and map every frame once. */
function coldCost(app: MinifiedApp, mapText: string): number {
  const packed = brotliCompressSync(mapText, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
  const started = performance.now();
  const map = ParsedSourceMap.parse(brotliDecompressSync(packed).toString('utf8'));
  const minified = new SourceText(app.bundle);
  for (const frame of app.frames) {
    const at = map.originalPosition(frame.lineno, frame.colno);
    if (!at) throw new Error('a frame of the cold app did not map');
    map.sourceText(at.sourceIndex)?.context(at.line, at.column);
    if (frame.function) map.functionName(frame.lineno, frame.colno, frame.function, minified);
  }
  return performance.now() - started;
}

/**
 * Symbolication's cost in digest, on SQLite: the ingest and digest rate of @sentry/node error events
 * whose 20 frames are all mapped through an uploaded source map (parsed once, then cached) as a
 * share of the same events without maps; and what a cold 1 MB map adds, in process and to one
 * event's time from its request to being stored.
 */
export async function symbolication(ctx: Context): Promise<void> {
  const dataDir = path.join(ctx.tmpDir, 'symbolication');
  const node = await startErrata({ name: 'symbolication', dataDir });
  const first = firstStart(node);
  const counter = sqliteCounter(path.join(dataDir, 'errata.sqlite'));
  ctx.defer(() => counter.close());
  const upload = { url: node.url, token: first.token, org: first.org, project: first.project };

  ctx.log('  building and uploading the app (sentry-cli)');
  const app = await buildAndUpload(
    path.join(ctx.tmpDir, 'app'),
    { depth: DEPTH, padding: SMALL_PADDING, seed: 0 },
    upload,
  );
  const variants = {
    'no source maps': requestsOf(eventOf(app.frames, null), first),
    [`${DEPTH} frames mapped, maps cached`]: requestsOf(eventOf(app.frames, app.debugId), first),
  };

  let acknowledged = 0;
  const load = async (requests: Request[], durationS: number, connections = 64) => {
    const cpuBefore = cpuMs([node.child.pid as number]);
    const result = await runLoad({ urls: [node.url], connections, durationS, requests });
    acknowledged += result.ok;
    const lagMs = await waitForEvents(counter, acknowledged, ctx.options.digestWaitS * 1000);
    if (lagMs === null) throw new Error('digest did not catch up within the wait');
    const cpu = cpuMs([node.child.pid as number]) - cpuBefore;
    return {
      result,
      lagMs,
      digestedPerS: result.ok / (result.elapsedS + lagMs / 1000),
      cpuUs: (cpu * 1000) / result.ok,
    };
  };

  // Warm: JIT, SQLite pages, and the map in digest's cache.
  for (const variant of Object.values(variants)) await load(variant.requests, ctx.options.warmupS);
  // Rounds alternate, so that a neighbour's load on the machine falls on both kinds alike.
  const rounds = ctx.options.quick ? 1 : 3;
  const measured = new Map<string, Awaited<ReturnType<typeof load>>[]>();
  for (let round = 0; round < rounds; round++) {
    for (const [name, variant] of Object.entries(variants)) {
      const row = await load(variant.requests, ctx.options.durationS);
      ctx.log(
        `  ${name}: ${int(row.result.rps)} req/s, ${int(row.digestedPerS)} digested/s, lag ${ms(row.lagMs)} ms`,
      );
      measured.set(name, [...(measured.get(name) ?? []), row]);
    }
  }

  // The load's events really were mapped (and the others not).
  const headers = { authorization: `Bearer ${first.token}` };
  const topFrame = async (id: string) => {
    const res = await fetch(`${node.url}/api/0/projects/${first.org}/${first.project}/events/${id}/`, {
      headers,
    });
    const event = (await res.json()) as {
      entries: { type: string; data: { values: { stacktrace: { frames: { filename: string }[] } }[] } }[];
    };
    return event.entries.find((e) => e.type === 'exception')?.data.values[0]?.stacktrace.frames.at(-1)
      ?.filename;
  };
  const [plain, mapped] = Object.values(variants);
  const shown = [await topFrame(plain?.firstId as string), await topFrame(mapped?.firstId as string)];
  if (shown[0] !== RUN_AS || shown[1] !== `src/level${DEPTH - 1}.js`)
    throw new Error(`unexpected top frames ${JSON.stringify(shown)}: symbolication did not run as measured`);

  const mean = (name: string, pick: (row: Awaited<ReturnType<typeof load>>) => number) => {
    const rows = measured.get(name) ?? [];
    return rows.reduce((n, row) => n + pick(row), 0) / rows.length;
  };
  const [baseName, mappedName] = Object.keys(variants) as [string, string];
  const rows = Object.keys(variants).map((name) => [
    name,
    int(mean(name, (r) => r.result.rps)),
    int(mean(name, (r) => r.digestedPerS)),
    ms(mean(name, (r) => r.lagMs)),
    int(mean(name, (r) => r.cpuUs)),
    `${((100 * mean(name, (r) => r.digestedPerS)) / mean(baseName, (r) => r.digestedPerS)).toFixed(0)} %`,
  ]);
  const share = mean(mappedName, (r) => r.digestedPerS) / mean(baseName, (r) => r.digestedPerS);
  const cpuRatio = mean(mappedName, (r) => r.cpuUs) / mean(baseName, (r) => r.cpuUs);

  // Cold maps: each a new build with a ~1 MB map; its first event parses it, the next finds it cached.
  ctx.log(`  ${COLD_MAPS} cold builds with large maps`);
  const cold: number[] = [];
  const warm: number[] = [];
  const inProcess: number[] = [];
  let mapBytes = 0;
  for (let i = 0; i < COLD_MAPS; i++) {
    const large = await buildAndUpload(
      path.join(ctx.tmpDir, `large-${i}`),
      { depth: DEPTH, padding: LARGE_PADDING, seed: i + 1 },
      upload,
    );
    mapBytes = large.mapBytes;
    const { body, path: url, firstId } = requestsOf(eventOf(large.frames, large.debugId), first);
    const time = async (id: string) => {
      // Counted from the store itself: a load's 2xx count misses answers still in flight at its end.
      const before = await counter.count();
      const started = performance.now();
      const res = await fetch(`${node.url}${url}`, { method: 'POST', body: body(id) });
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
      while ((await counter.count()) <= before) {
        if (performance.now() - started > 10_000) throw new Error('event not stored');
        await sleep(1);
      }
      const elapsed = performance.now() - started;
      if ((await topFrame(id)) !== `src/level${DEPTH - 1}.js`) throw new Error('the large map did not map');
      return elapsed;
    };
    cold.push(await time(firstId));
    warm.push(await time(`${firstId.slice(0, 16)}${'1'.padStart(16, '0')}`));
    const mapText = readFileSync(path.join(ctx.tmpDir, `large-${i}`, 'dist/app.js.map'), 'utf8');
    inProcess.push(coldCost(large, mapText));
  }

  const title = `## Symbolication on SQLite: @sentry/node events of ${DEPTH} minified frames, c=64`;
  ctx.results.sections.push(
    title,
    table(['events', 'req/s', 'digested/s', 'digest lag ms', 'CPU µs/event', 'digested share'], rows),
    `By CPU per event (steadier on a busy machine), mapped events cost ${(100 * cpuRatio).toFixed(0)} % of the others: a rate share of ${(100 / cpuRatio).toFixed(0)} %.`,
    table(
      ['cold source map', 'measured'],
      [
        ['map size', `${(mapBytes / 1e6).toFixed(2)} MB`],
        ['unpack, parse and map 20 frames, in process (median)', `${ms(median(inProcess))} ms`],
        ['one event, request to stored, cold map (median)', `${ms(median(cold))} ms`],
        ['the same, map cached (median)', `${ms(median(warm))} ms`],
      ],
    ),
    `Mapped events digested at ${(100 * share).toFixed(0)} % of the rate of events without maps (target ≥ ${100 * TARGET_SHARE} %: ${share >= TARGET_SHARE ? 'met' : '**missed**'}).`,
  );
}
