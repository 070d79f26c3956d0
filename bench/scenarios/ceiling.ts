import { availableParallelism } from 'node:os';
import { gunzipSync } from 'node:zlib';
import type { Request } from 'autocannon';
import type { Context } from '../lib/context.js';
import { ingestRequests } from '../lib/payloads.js';
import { int, table } from '../lib/report.js';

/** The fastest of five passes over `items` after an unmeasured one, µs per item: the least a step costs here. */
function fastestUs<T>(items: readonly T[], work: (item: T) => unknown): number {
  const passes = Array.from({ length: 6 }, () => {
    const started = performance.now();
    for (const item of items) work(item);
    return performance.now() - started;
  });
  return (Math.min(...passes.slice(1)) * 1000) / items.length;
}

/**
 * The least work any server must do per request of the ingest mix, beyond the HTTP floor's:
 * decompress the body and parse its JSON, timed alone in this process (so a lower bound). With the
 * floor's own server CPU and the load generator's, it gives the most req/s this machine allows a
 * server that parses every event and stores nothing.
 */
export async function ceiling(ctx: Context): Promise<void> {
  const [ingest] = ingestRequests({ publicKey: '0'.repeat(32), projectId: '1' });
  const mix = Array.from({ length: 400 }, () => ingest?.setupRequest?.({}, {}) ?? {});
  const decode = (r: Request) =>
    (r.headers?.['content-encoding'] === 'gzip' ? gunzipSync(r.body as Buffer) : r.body) as Buffer;
  const parse = (body: Buffer) => {
    for (const line of body.toString().split('\n')) if (line !== '') JSON.parse(line);
  };
  const decodeUs = fastestUs(mix, decode);
  const parseUs = fastestUs(mix.map(decode), parse);
  const floor = ctx.results.ingest.find((r) => r.server === 'HTTP floor' && r.connections === 64);
  const httpUs = floor?.cpuUsPerReq ?? Number.NaN;
  const clientUs = floor?.load.clientUsPerReq ?? Number.NaN;
  const totalUs = decodeUs + parseUs + httpUs + clientUs;
  const cores = availableParallelism();
  const us = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'needs the floor scenario');
  const rows = [
    ['decompress the body (gzip for Python, none for Node)', us(decodeUs)],
    ['decode UTF-8 and JSON.parse every line of the envelope', us(parseUs)],
    ['HTTP floor server CPU, c=64', us(httpUs)],
    ['load generator CPU in the floor run, c=64', us(clientUs)],
    ['least in all', us(totalUs)],
    [`ceiling on ${cores} cores, req/s`, int((cores * 1e6) / totalUs)],
  ];
  ctx.results.sections.push('## Least-work ceiling', table(['per request of the ingest mix', 'µs'], rows));
}
