import { gunzipSync } from 'node:zlib';
import { VARIANTS } from './ingest-run.js';
import { bodyTemplates, type CapturedRequest } from './payloads.js';
import { ingestTraffic } from './traffic.js';

/**
 * The least CPU any server that reads these events must spend on a request beyond what the HTTP
 * floor spends: decompress the body when the SDK compressed it, and parse its JSON. Measured in
 * the bench process on one core with nothing else running in it, on the same mix of requests as
 * the runs, so it is a lower bound: under load, with the cores shared, each step takes longer.
 */
export interface LeastWork {
  /** Decompressing the body (gzip for the Python requests, nothing for Node's), µs per request. */
  readonly decodeUs: number;
  /** Decoding it as UTF-8 and parsing every line of the envelope as JSON, µs per request. */
  readonly parseUs: number;
  /** How many requests of the mix were timed. */
  readonly requests: number;
  /** Timed passes over them; the fastest counts. */
  readonly passes: number;
}

const REQUESTS = 400;
const PASSES = 5;

/** The fastest of `passes` timed passes over `bodies`, µs per body. */
function fastest(bodies: readonly Buffer[], work: (body: Buffer) => unknown, passes: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < passes; pass++) {
    const start = performance.now();
    for (const body of bodies) work(body);
    best = Math.min(best, performance.now() - start);
  }
  return (best * 1000) / bodies.length;
}

/**
 * Every line of an envelope parsed as JSON: the least any server does, not Errata's own parser
 * (src/protocol/envelope.ts), which checks more and so would not give a lower bound.
 */
function parseLines(plain: Buffer): unknown[] {
  return plain
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** Times decoding and parsing on the bodies the ingest runs send (same templates, same skew). */
export function measureLeastWork(captured: readonly CapturedRequest[]): LeastWork {
  const templates = bodyTemplates(captured, { publicKey: '0'.repeat(32), projectId: '1' }, VARIANTS);
  const setup = ingestTraffic(templates).requests[0]?.setupRequest;
  if (!setup) throw new Error('ingest traffic has no request to set up');
  const wire: Buffer[] = [];
  const plain: Buffer[] = [];
  const compressed = new Set<Buffer>();
  for (let i = 0; i < REQUESTS; i++) {
    const request = setup({}, {});
    const body = request.body as Buffer;
    const gzip = request.headers?.['content-encoding'] === 'gzip';
    if (gzip) compressed.add(body);
    wire.push(body);
    plain.push(gzip ? gunzipSync(body) : body);
  }
  const decode = (body: Buffer) => (compressed.has(body) ? gunzipSync(body) : body);
  // Once untimed, so that both run optimized.
  fastest(wire, decode, 1);
  fastest(plain, parseLines, 1);
  return {
    decodeUs: fastest(wire, decode, PASSES),
    parseUs: fastest(plain, parseLines, PASSES),
    requests: REQUESTS,
    passes: PASSES,
  };
}
