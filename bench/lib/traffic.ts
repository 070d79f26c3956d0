import { randomBytes } from 'node:crypto';
import type { Request } from 'autocannon';
import type { BodyTemplate, Sdk } from './payloads.js';
import { seededRandom, zipf } from './random.js';

/** Skew of fingerprints over requests (Zipf exponent): the hottest of 200 gets about 17%. */
const SKEW = 1.1;

/** What one run of requests sent, for the report. */
export interface TrafficStats {
  readonly sent: Record<Sdk, number>;
  readonly variantsUsed: number;
  readonly wireBytes: Record<Sdk, number>;
}

export interface IngestTraffic {
  /** autocannon's `requests`: one dynamic request that picks a fingerprint and a fresh event id each time. */
  readonly requests: Request[];
  stats(): TrafficStats;
}

/**
 * Error envelopes as SDKs send them, each with a new event id, over a skewed choice of
 * fingerprints: most requests join a few hot issues, the tail creates a new issue now and then.
 * Event ids are a random per-run prefix and a counter, so no two requests of a run share one.
 */
export function ingestTraffic(templates: readonly BodyTemplate[], seed = 1): IngestTraffic {
  const pick = zipf(templates.length, SKEW, seededRandom(seed));
  const prefix = randomBytes(8).toString('hex');
  let counter = 0;
  const sent: Record<Sdk, number> = { node: 0, python: 0 };
  const wireBytes: Record<Sdk, number> = { node: 0, python: 0 };
  const used = new Set<number>();
  const setupRequest = (request: Request): Request => {
    const template = templates[pick()] as BodyTemplate;
    const eventId = prefix + (counter++).toString(16).padStart(16, '0');
    const body = template.build(eventId);
    sent[template.sdk]++;
    wireBytes[template.sdk] += body.length;
    used.add(template.variant);
    request.method = 'POST';
    request.path = template.path;
    request.headers = template.headers;
    request.body = body;
    return request;
  };
  return {
    requests: [{ method: 'POST', setupRequest }],
    stats: () => ({ sent: { ...sent }, variantsUsed: used.size, wireBytes: { ...wireBytes } }),
  };
}

/** Cycles through fixed GET requests (REST scenarios), with a bearer token. */
export function getTraffic(paths: readonly string[], token: string): Request[] {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  return paths.map((path) => ({ method: 'GET', path, headers }));
}
