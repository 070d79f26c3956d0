import type { Kysely } from 'kysely';
import { ParsedSourceMap } from '../lib/parsed-source-map.js';
import { SourceText } from '../lib/source-text.js';
import { WeighedLru } from '../lib/weighed-lru.js';
import { sourceUrlCandidates } from '../protocol/artifact-bundle.js';
import {
  isJsPlatform,
  isUrlLocation,
  type JsProcessingError,
  mappableLocation,
  reportsMissingSource,
  type StacktraceSite,
  sourceMapImages,
  stacktraceSites,
} from '../protocol/js-frames.js';
import type { NormalizedEvent, SymbolicatedField } from '../protocol/normalized-event.js';
import { readArtifactFiles } from '../store/region/artifact-bundles.js';
import {
  findSourceFileRefs,
  type SourceFileRef,
  type SourceRefPair,
  touchArtifactBundles,
} from '../store/region/source-files.js';
import type { RegionSchema } from '../store/schema.js';
import { type FramePosition, type FrameSources, mapFrame, type ResolvedWith } from './map-frame.js';

type Db = Kysely<RegionSchema>;
type Json = Record<string, unknown>;

/** An error or message event of a batch, normalized, before grouping. */
export interface EventItem {
  readonly projectId: number;
  event: NormalizedEvent;
  /** The item's bytes as sent, which the stored document is appended to. */
  readonly payload: Buffer;
}

/** A bundle is marked used at most this often by one process (retention counts in days). */
const TOUCH_EVERY_MS = 3_600_000;

/** What a map that cannot be read weighs in the cache: it is kept, so that it is not read again each batch. */
const PROBLEM_WEIGHT = 256;

/** Processing errors kept per event: one per file and kind is enough to say what went wrong. */
const MAX_ERRORS = 50;

interface PlannedFrame {
  readonly site: number;
  readonly index: number;
  readonly position: FramePosition;
  readonly debugId: string | undefined;
  /** Where the file may have been uploaded for the event's release; empty without a release. */
  readonly urls: readonly string[];
}

interface PlannedEvent {
  readonly item: EventItem;
  readonly sites: StacktraceSite[];
  readonly frames: PlannedFrame[];
}

/** A frame's files, found: its map, the minified file when uploaded, and how they were found. */
interface Resolution {
  readonly map: SourceFileRef;
  readonly minified: SourceFileRef | undefined;
  readonly resolvedWith: ResolvedWith;
}

type Loaded = ParsedSourceMap | SourceText | { readonly problem: string };

/** The frames of an event that symbolication will look up; undefined when there are none (most events). */
function plan(item: EventItem): PlannedEvent | undefined {
  const { event } = item;
  if (!isJsPlatform(event.platform)) return undefined;
  const sites = stacktraceSites(event.data);
  if (sites.length === 0) return undefined;
  let images: Map<string, string> | undefined;
  const frames: PlannedFrame[] = [];
  for (const [site, { frames: list }] of sites.entries()) {
    for (const [index, frame] of list.entries()) {
      if (typeof frame !== 'object' || frame === null) continue;
      const location = mappableLocation(frame as Json, event.platform);
      if (location === undefined) continue;
      images ??= sourceMapImages(event.data);
      const { filename, abs_path: absPath } = frame as Json;
      const debugId =
        images.get(location) ??
        (typeof filename === 'string' ? images.get(filename) : undefined) ??
        (typeof absPath === 'string' ? images.get(absPath) : undefined);
      // A plain file path (Node without a debug id) names no uploaded URL: Node apps that upload
      // by release send `app:///…` paths (RewriteFrames), as Sentry's docs have them do.
      const urls = event.release && isUrlLocation(location) ? sourceUrlCandidates(location) : [];
      if (debugId === undefined && urls.length === 0) continue;
      const { lineno, colno } = frame as { lineno: number; colno: number };
      frames.push({ site, index, position: { location, line: lineno, column: colno }, debugId, urls });
    }
  }
  return frames.length === 0 ? undefined : { item, sites, frames };
}

const releaseKey = (event: NormalizedEvent) => `${event.release}\u0000${event.dist ?? ''}`;

export interface SymbolicatorOptions {
  /** What parsed source maps and minified files may hold in memory, in bytes (roughly). */
  readonly cacheBytes: number;
  readonly now?: () => number;
  /** Told of an event that could not be symbolicated for a reason other than its files. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Maps the JavaScript stack frames of a batch's events through the source maps uploaded for them
 * (artifact bundles), before grouping, so that the same code groups the same whatever build ran
 * it. Files are looked up once per batch (by debug id, then by release, dist and URL), inside the
 * digest transaction; an event without JavaScript frames costs one platform check. Parsed maps
 * and minified files are kept across batches up to a budget in bytes: files never change once
 * stored, so they are kept by id.
 *
 * A mapped frame replaces the minified one, which is kept in its exception's or thread's
 * `raw_stacktrace`; a frame that cannot be mapped stays as it was and the event says why in its
 * processing errors (Sentry's `js_no_source`, `js_invalid_source`, …).
 */
export class Symbolicator {
  private readonly cache: WeighedLru<number, Loaded>;
  private readonly touched = new Map<number, number>();

  private readonly now: () => number;
  private readonly onError: (error: unknown) => void;

  constructor(options: SymbolicatorOptions) {
    this.cache = new WeighedLru(options.cacheBytes);
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
  }

  /** Bytes the cache holds (for tests and metrics). */
  get cachedBytes(): number {
    return this.cache.bytes;
  }

  /** Symbolicates the items' events in place. */
  async symbolicate(trx: Db, items: readonly EventItem[]): Promise<void> {
    const planned = items.map(plan).filter((p) => p !== undefined);
    if (planned.length === 0) return;
    const resolutions = await this.resolve(trx, planned);
    const loaded = await this.load(trx, resolutions);
    for (const event of planned) {
      try {
        apply(event, resolutions, loaded);
      } catch (error) {
        // A bug in mapping must not cost the event: it is kept as it came.
        this.onError(error);
      }
    }
    await this.touch(trx, resolutions);
  }

  /** Each planned frame's files; frames without any are left out. */
  private async resolve(trx: Db, planned: readonly PlannedEvent[]): Promise<Map<PlannedFrame, Resolution>> {
    const out = new Map<PlannedFrame, Resolution>();
    for (const [projectId, events] of groupBy(planned, (p) => p.item.projectId)) {
      const debugIds = new Set<string>();
      for (const event of events) for (const f of event.frames) if (f.debugId) debugIds.add(f.debugId);
      const byDebugId =
        debugIds.size > 0
          ? (await findSourceFileRefs(trx, projectId, { debugIds: [...debugIds] })).byDebugId
          : new Map<string, SourceRefPair>();
      const leftover: PlannedEvent[] = [];
      for (const event of events) {
        let missing = false;
        for (const frame of event.frames) {
          const pair = frame.debugId ? byDebugId.get(frame.debugId) : undefined;
          if (pair?.sourceMap)
            out.set(frame, { map: pair.sourceMap, minified: pair.minifiedSource, resolvedWith: 'debug-id' });
          else if (frame.urls.length > 0) missing = true;
        }
        if (missing) leftover.push(event);
      }
      // Frames not found by debug id: by the release's files, one lookup per release and dist.
      for (const [, sameRelease] of groupBy(leftover, (p) => releaseKey(p.item.event))) {
        const { release, dist } = (sameRelease[0] as PlannedEvent).item.event;
        const urls = new Set<string>();
        for (const event of sameRelease)
          for (const frame of event.frames) if (!out.has(frame)) for (const url of frame.urls) urls.add(url);
        const { byUrl } = await findSourceFileRefs(trx, projectId, {
          release: release ?? null,
          dist: dist ?? null,
          urls: [...urls],
        });
        for (const event of sameRelease) {
          for (const frame of event.frames) {
            if (out.has(frame)) continue;
            const pair = frame.urls.map((url) => byUrl.get(url)).find((p) => p?.sourceMap);
            if (pair?.sourceMap)
              out.set(frame, { map: pair.sourceMap, minified: pair.minifiedSource, resolvedWith: 'release' });
          }
        }
      }
    }
    return out;
  }

  /** The parsed files the resolutions need: from the cache, else read (all at once) and parsed. */
  private async load(trx: Db, resolutions: Map<PlannedFrame, Resolution>): Promise<Map<number, Loaded>> {
    const out = new Map<number, Loaded>();
    const missing = new Set<number>();
    const want = (ref: SourceFileRef | undefined) => {
      if (ref === undefined || out.has(ref.file.id)) return;
      const cached = this.cache.get(ref.file.id);
      if (cached) out.set(ref.file.id, cached);
      else missing.add(ref.file.id);
    };
    for (const resolution of resolutions.values()) {
      want(resolution.map);
      want(resolution.minified);
    }
    if (missing.size === 0) return out;
    const kinds = new Map<number, string>();
    for (const { map, minified } of resolutions.values()) {
      kinds.set(map.file.id, 'map');
      if (minified) kinds.set(minified.file.id, 'minified');
    }
    for (const [id, bytes] of await readArtifactFiles(trx, [...missing])) {
      const text = bytes.toString('utf8');
      let parsed: Loaded;
      if (kinds.get(id) === 'map') parsed = parseMap(text);
      else {
        parsed = new SourceText(text);
        // The line index is built now, so that the weight counts it.
        void parsed.lineCount;
      }
      this.cache.set(id, parsed, 'weight' in parsed ? parsed.weight : PROBLEM_WEIGHT);
      out.set(id, parsed);
    }
    return out;
  }

  /** Marks the bundles read as used, each at most once an hour from this process. */
  private async touch(trx: Db, resolutions: Map<PlannedFrame, Resolution>): Promise<void> {
    const now = this.now();
    const due = new Set<number>();
    for (const { map, minified } of resolutions.values()) {
      for (const ref of [map, minified]) {
        const bundle = ref?.file.artifactBundleId;
        if (bundle !== undefined && (this.touched.get(bundle) ?? -Infinity) < now - TOUCH_EVERY_MS)
          due.add(bundle);
      }
    }
    if (due.size === 0) return;
    await touchArtifactBundles(trx, [...due], now);
    for (const bundle of due) this.touched.set(bundle, now);
  }
}

function parseMap(text: string): ParsedSourceMap | { problem: string } {
  try {
    return ParsedSourceMap.parse(text);
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** The frame's files as mapFrame takes them; undefined when a file could not be read. */
function frameSources(resolution: Resolution, loaded: Map<number, Loaded>): FrameSources | undefined {
  const map = loaded.get(resolution.map.file.id);
  if (map === undefined || map instanceof SourceText) return undefined;
  const minified = resolution.minified && loaded.get(resolution.minified.file.id);
  return {
    mapUrl: resolution.map.file.url ?? resolution.map.file.path,
    map,
    ...(minified instanceof SourceText ? { minified } : {}),
    sourcemapHeader: resolution.minified?.file.sourcemap ?? null,
    resolvedWith: resolution.resolvedWith,
  };
}

/** Rewrites one event's frames from the resolutions, or adds why they could not be. */
function apply(
  planned: PlannedEvent,
  resolutions: Map<PlannedFrame, Resolution>,
  loaded: Map<number, Loaded>,
): void {
  const errors = new Map<string, JsProcessingError>();
  const replaced = planned.sites.map(() => new Map<number, Json>());
  for (const frame of planned.frames) {
    const resolution = resolutions.get(frame);
    const sources = resolution && frameSources(resolution, loaded);
    const { location } = frame.position;
    if (sources === undefined) {
      if (reportsMissingSource(location))
        errors.set(`js_no_source ${location}`, { type: 'js_no_source', url: location });
      continue;
    }
    const original = planned.sites[frame.site]?.frames[frame.index] as Json;
    const result = mapFrame(original, frame.position, sources);
    if ('frame' in result) replaced[frame.site]?.set(frame.index, result.frame);
    if (result.error) errors.set(JSON.stringify(result.error), result.error);
  }

  const { item } = planned;
  const changed = new Set<SymbolicatedField>();
  for (const [site, frames] of replaced.entries()) {
    if (frames.size === 0) continue;
    const { frames: raw, container, field } = planned.sites[site] as StacktraceSite;
    changed.add(field);
    const symbolicated = raw.map((frame, index) => frames.get(index) ?? frame);
    if (container === undefined) {
      item.event.data.stacktrace = { ...(item.event.data.stacktrace as Json), frames: symbolicated };
    } else {
      container.stacktrace = { ...(container.stacktrace as Json), frames: symbolicated };
      container.raw_stacktrace = { frames: raw };
    }
  }
  if (errors.size > 0 || changed.size > 0)
    item.event = {
      ...item.event,
      ...(errors.size > 0 ? { processingErrors: [...errors.values()].slice(0, MAX_ERRORS) } : {}),
      ...(changed.size > 0 ? { symbolicatedFields: [...changed] } : {}),
    };
}
