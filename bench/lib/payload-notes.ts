import { int } from './format.js';
import { FIXED_RATE_INSTANCES } from './ingest-run.js';
import type { BenchOptions } from './options.js';
import { type CapturedRequest, frameCount } from './payloads.js';
import { TARGETS } from './targets.js';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The report's Payloads section: what was sent, and how the requests of a run differ. */
export function payloadNotes(captured: readonly CapturedRequest[], options: BenchOptions): string[] {
  const node = captured.find((c) => c.sdk === 'node');
  const python = captured.find((c) => c.sdk === 'python');
  const notes: string[] = [];
  if (node) {
    const frames = frameCount(node);
    notes.push(
      `@sentry/node 11.12.0: an error thrown 20 application frames deep (${frames} frames with Node's own), 12 breadcrumbs, user, tags and contexts; ${kib(node.plain.length)}, sent uncompressed as the SDK does under 32 KiB (\`bench/payloads/node/\`).`,
    );
  }
  if (python) {
    notes.push(
      `Python sentry_sdk 1.9.10: the same error (${frameCount(python)} frames with local variables), the same breadcrumbs and contexts; ${kib(python.plain.length)}, gzipped by the SDK to ${kib(python.wire.length)} (\`bench/payloads/python/\`). 1.9 posts errors to /store/; this one goes through the SDK's own envelope path, as 2.x sends every error.`,
    );
  }
  notes.push(
    "Captured from the real SDKs by `npx tsx bench/payloads/capture.ts`. For each request the bench picks one of 200 fingerprints (every `handler000` function renamed, same length; even ones Node, odd ones Python) with a Zipf(1.1) skew, so most events join a few hot issues and the tail opens a new one now and then, and gives it a new event id (in the envelope header and the event). Python bodies stay one gzip member (the fixed parts compressed once, the id spliced in as a stored block, about 7 % larger than the SDK's). Timestamps are moved to the time of the run.",
    options.fixedRateConnections === null
      ? 'No fixed-rate runs with --quick.'
      : `Fixed-rate runs: ${int(TARGETS.eventsPerSecond / 2)} req/s (half the events/s target) at ${options.fixedRateConnections} connections, and half of the best measured rate when the target is out of reach. autocannon's rate limit lets each connection send its share of a second back to back, then wait; the runs use ${FIXED_RATE_INSTANCES} autocannon instances started an eighth of a second apart, so the load comes in ${FIXED_RATE_INSTANCES} smaller bursts a second rather than one, and p99 still includes those bursts.`,
  );
  return notes;
}
