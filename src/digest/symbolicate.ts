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
import { fieldJson, type StacktraceTexts, stacktraceJson } from './symbolicated-json.js';

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

/** How long a file found for a debug id or URL is taken as found, without asking the database again. */
const FOUND_FOR_MS = 60_000;
/** Found files remembered at most; past that the memory starts again. */
const MAX_FOUND = 10_000;

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
/** The cache holds files by id, and mapped stack traces by their key. */
type Cached = Loaded | MappedSite;

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
 * digest transaction; an event with nothing to look up (another platform, or Node frames without
 * debug ids) costs a look at its frames. Parsed maps, minified files and mapped stack traces are
 * kept across batches up to a budget in bytes: files never change once stored, so they are kept
 * by id.
 *
 * A mapped frame replaces the minified one, which is kept in its exception's or thread's
 * `raw_stacktrace`; a frame that cannot be mapped stays as it was and the event says why in its
 * processing errors (Sentry's `js_no_source`, `js_invalid_source`, …).
 */
export class Symbolicator {
  private readonly cache: WeighedLru<number | string, Cached>;
  private readonly touched = new Map<number, number>();
  private readonly found = new Map<string, { readonly pair: SourceRefPair; readonly until: number }>();

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
        apply(event, resolutions, loaded, this.cache);
      } catch (error) {
        // A bug in mapping must not cost the event: it is kept as it came.
        this.onError(error);
      }
    }
    await this.touch(trx, resolutions);
  }

  /**
   * Pairs found before, by key (project and debug id, or project, release, dist and URL), until a
   * minute has passed: so that a busy project's batches do not look up the same files each time.
   * Only what was found is kept, so a new upload is seen by the next batch; a deleted one may still
   * map events for that minute.
   */
  private async lookup(
    keys: readonly string[],
    query: (missing: string[]) => Promise<ReadonlyMap<string, SourceRefPair>>,
    keyOf: (item: string) => string,
  ): Promise<Map<string, SourceRefPair>> {
    const now = this.now();
    const out = new Map<string, SourceRefPair>();
    const missing: string[] = [];
    for (const item of keys) {
      const known = this.found.get(keyOf(item));
      if (known && known.until > now) out.set(item, known.pair);
      else missing.push(item);
    }
    if (missing.length === 0) return out;
    if (this.found.size > MAX_FOUND) this.found.clear();
    for (const [item, pair] of await query(missing)) {
      if (!pair.sourceMap) continue;
      out.set(item, pair);
      this.found.set(keyOf(item), { pair, until: now + FOUND_FOR_MS });
    }
    return out;
  }

  /** Each planned frame's files; frames without any are left out. */
  private async resolve(trx: Db, planned: readonly PlannedEvent[]): Promise<Map<PlannedFrame, Resolution>> {
    const out = new Map<PlannedFrame, Resolution>();
    for (const [projectId, events] of groupBy(planned, (p) => p.item.projectId)) {
      const debugIds = new Set<string>();
      for (const event of events) for (const f of event.frames) if (f.debugId) debugIds.add(f.debugId);
      const byDebugId = await this.lookup(
        [...debugIds],
        async (missing) => (await findSourceFileRefs(trx, projectId, { debugIds: missing })).byDebugId,
        (debugId) => `${projectId} ${debugId}`,
      );
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
      for (const [key, sameRelease] of groupBy(leftover, (p) => releaseKey(p.item.event))) {
        const { release, dist } = (sameRelease[0] as PlannedEvent).item.event;
        const urls = new Set<string>();
        for (const event of sameRelease)
          for (const frame of event.frames) if (!out.has(frame)) for (const url of frame.urls) urls.add(url);
        const byUrl = await this.lookup(
          [...urls],
          async (missing) =>
            (
              await findSourceFileRefs(trx, projectId, {
                release: release ?? null,
                dist: dist ?? null,
                urls: missing,
              })
            ).byUrl,
          (url) => `${projectId} ${key} ${url}`,
        );
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
      const cached = this.cache.get(ref.file.id) as Loaded | undefined;
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

/** A stack trace as symbolication leaves it: what `apply` keeps by its frames as sent and their files. */
interface MappedSite {
  /** The frames, mapped where they could be; shared by every event of this stack trace, never changed. */
  readonly frames: readonly unknown[];
  /** The same as a JSON array. */
  readonly json: string;
  readonly changed: boolean;
  readonly errors: readonly JsProcessingError[];
}

/** Bytes a frame object takes beyond its JSON text, roughly. */
const FRAME_OBJECT_BYTES = 256;

function mapSite(
  raw: readonly unknown[],
  planned: ReadonlyMap<number, PlannedFrame>,
  resolutions: Map<PlannedFrame, Resolution>,
  loaded: Map<number, Loaded>,
): MappedSite {
  const frames = [...raw];
  const texts: string[] = [];
  const errors: JsProcessingError[] = [];
  let changed = false;
  for (const [index, frame] of raw.entries()) {
    const plan = planned.get(index);
    const resolution = plan && resolutions.get(plan);
    const sources = resolution && frameSources(resolution, loaded);
    if (plan && sources === undefined && reportsMissingSource(plan.position.location))
      errors.push({ type: 'js_no_source', url: plan.position.location });
    const result = plan && sources ? mapFrame(frame as Json, plan.position, sources) : undefined;
    if (result?.error) errors.push(result.error);
    if (result && 'frame' in result) {
      frames[index] = result.frame;
      changed = true;
    }
    texts.push(JSON.stringify(frames[index]));
  }
  return { frames, json: `[${texts.join(',')}]`, changed, errors };
}

/** What decides how a stack trace maps besides its frames: each planned frame's files. */
function filesKey(planned: Iterable<[number, PlannedFrame]>, resolutions: Map<PlannedFrame, Resolution>) {
  const parts: string[] = [];
  for (const [index, plan] of planned) {
    const r = resolutions.get(plan);
    parts.push(r ? `${index}:${r.map.file.id}/${r.minified?.file.id ?? ''}/${r.resolvedWith}` : `${index}:-`);
  }
  return parts.join(',');
}

/**
 * Rewrites one event's frames from the resolutions, or adds why they could not be. A stack trace
 * already mapped with the same files is taken from the cache: the same deployed build throws from
 * the same few places again and again.
 */
function apply(
  planned: PlannedEvent,
  resolutions: Map<PlannedFrame, Resolution>,
  loaded: Map<number, Loaded>,
  cache: WeighedLru<number | string, Cached>,
): void {
  const errors = new Map<string, JsProcessingError>();
  const { item } = planned;
  const { data } = item.event;
  // The stored document takes each rewritten field as JSON built from the stack traces' texts.
  const texts = new Map<SymbolicatedField, Map<Json, StacktraceTexts>>();
  let topLevel: string | undefined;
  // Every stack trace is mapped before any is written back, so that a failure changes nothing.
  const sites: [StacktraceSite, MappedSite, string][] = [];
  for (const [index, site] of planned.sites.entries()) {
    const plans = new Map<number, PlannedFrame>();
    for (const frame of planned.frames) if (frame.site === index) plans.set(frame.index, frame);
    if (plans.size === 0) continue;
    const rawJson = JSON.stringify(site.frames);
    const key = `${filesKey(plans, resolutions)}\n${rawJson}`;
    let mapped = cache.get(key) as MappedSite | undefined;
    if (mapped === undefined) {
      mapped = mapSite(site.frames, plans, resolutions, loaded);
      const weight = 2 * (key.length + mapped.json.length) + FRAME_OBJECT_BYTES * mapped.frames.length;
      cache.set(key, mapped, weight);
    }
    for (const error of mapped.errors) errors.set(JSON.stringify(error), error);
    if (mapped.changed) sites.push([site, mapped, rawJson]);
  }
  for (const [site, mapped, rawJson] of sites) {
    const { container, field } = site;
    if (container === undefined) {
      topLevel = stacktraceJson(data.stacktrace, mapped.json);
      data.stacktrace = { ...(data.stacktrace as Json), frames: mapped.frames };
      continue;
    }
    const stacktrace = stacktraceJson(container.stacktrace, mapped.json);
    container.stacktrace = { ...(container.stacktrace as Json), frames: mapped.frames };
    container.raw_stacktrace = { frames: site.frames };
    const perField = texts.get(field) ?? new Map<Json, StacktraceTexts>();
    perField.set(container, { stacktrace, raw: `{"frames":${rawJson}}` });
    texts.set(field, perField);
  }
  const symbolicated: Partial<Record<SymbolicatedField, string>> = {};
  for (const [field, containers] of texts) symbolicated[field] = fieldJson(data[field], containers);
  if (topLevel !== undefined) symbolicated.stacktrace = topLevel;

  const changed = Object.keys(symbolicated).length > 0;
  if (errors.size > 0 || changed)
    item.event = {
      ...item.event,
      ...(errors.size > 0 ? { processingErrors: [...errors.values()].slice(0, MAX_ERRORS) } : {}),
      ...(changed ? { symbolicated } : {}),
    };
}
