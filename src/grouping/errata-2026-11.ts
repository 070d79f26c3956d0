import { hash as digest } from 'node:crypto';
import { DEFAULT_GROUPING, type FingerprintPart, resolveFingerprint } from './fingerprint.js';
import {
  asObject,
  type ExceptionInput,
  exceptionsOf,
  type FrameInput,
  framesOf,
  type GroupingInput,
  isSynthetic,
  messageOf,
  singleThreadStacktrace,
  text,
} from './grouping-input.js';
import type { GroupingMechanism, GroupingResult, GroupingVariant } from './grouping-mechanism.js';
import { normalizeMessage } from './parameterize.js';

/** The values one hash is made of, each tagged with what it is (`type:`, `frame:`, `message:` …). */
type Parts = string[];

interface DefaultGrouping {
  variant: Exclude<GroupingVariant, 'custom-fingerprint'>;
  /** One list per hash, primary first. */
  parts: Parts[];
}

interface KeyedFrame {
  key: string;
  inApp: boolean;
}

const JS_PLATFORMS = new Set(['javascript', 'node']);
const CONTEXT_LINE_PLATFORMS = new Set(['javascript', 'node', 'python', 'php', 'ruby']);
const LOW_QUALITY_JS_PATHS = new Set(['[native code]', 'native code', 'eval code', '<anonymous>']);
const NO_FILENAME = new Set(['<anonymous>', '[native code]']);
const JS_ANONYMOUS = new Set(['?', '<anonymous>', 'anonymous', 'Anonymous function']);
const MAX_CONTEXT_LINE = 120;
const WHITESPACE = /\s+/g;
const RUBY_BLOCK = /^block (?:\(\d+ levels\) )?in /;
const RUBY_ERB_SUFFIX = /_erb__\d+_\d+$/;
// printf-style (`%s`, `%(name)s`, `%.2f`) and brace-style (`{}`, `{name}`) placeholders.
const TEMPLATE_PLACEHOLDER = /%(?:\([^)\n]{0,64}\))?[-#0-9. +]*[a-z%]|\{[^{}\n]*\}/gi;
const LITERAL = /[a-z0-9]/i;
const SCHEME = /^([a-z]+):\/\//i;

/**
 * Sentry-style grouping (reference §6.1, reduced), first rule that yields something:
 * 1. the event's `fingerprint`, `{{ default }}` standing for rules 2–5 ("custom-fingerprint");
 * 2. the frames of every exception in the chain, oldest first, each with its exception type unless
 *    the mechanism is synthetic; in-app frames only when any exception has one, all frames
 *    otherwise; an exception without usable frames adds its normalized value instead ("stacktrace");
 *    the frames of the only thread with a stack trace, else of the top-level stack trace, likewise;
 * 3. exception types and normalized values ("exception");
 * 4. the message template (else its final text), normalized ("message");
 * 5. nothing: one fixed hash, the MD5 of no bytes ("fallback").
 *
 * A frame contributes its module (else its file's basename, lowercased, unless it comes from a
 * URL) and its function name, cleaned per platform; never its line or column. The context line
 * counts only when the function is anonymous: Sentry also hashes it next to a function name, but
 * SDKs attach source context opportunistically (a failed file read drops it), which would split
 * an issue, and a named function is the stable part.
 *
 * Hashes are MD5, lowercase hex, over the tagged parts joined by NUL: not a security boundary
 * (any client can choose its group through `fingerprint`), fast on short inputs, and 32 hex like
 * the group hashes Sentry's API shows. When in-app frames decide, the all-frames hash follows as a
 * secondary so events from SDKs that set no `in_app` still find the issue.
 *
 * `parameterize.ts` and `fingerprint.ts` shape these hashes too: their output is frozen with this
 * mechanism (the "hashes are frozen" test guards it); a change there needs a new mechanism.
 */
export const errata202611: GroupingMechanism = {
  id: 'errata:2026-11',
  description: 'fingerprint, else in-app frames with exception types, else type and value, else message',
  group(event) {
    const fingerprint = resolveFingerprint(event);
    if (fingerprint === undefined) {
      const { variant, parts } = defaultGrouping(event);
      return result(variant, parts);
    }
    const defaults = fingerprint.includes(DEFAULT_GROUPING) ? defaultGrouping(event).parts : [[]];
    return result(
      'custom-fingerprint',
      defaults.map((parts) => fingerprintParts(fingerprint, parts)),
    );
  },
};

function result(variant: GroupingVariant, parts: Parts[]): GroupingResult {
  const hashes: string[] = [];
  for (const list of parts) {
    // One-shot: no Hash object per hash.
    const hash = digest('md5', list.join('\0'), 'hex');
    if (!hashes.includes(hash)) hashes.push(hash);
  }
  return { mechanism: errata202611.id, hashes, variant };
}

function fingerprintParts(fingerprint: FingerprintPart[], defaults: Parts): Parts {
  const parts: Parts = [];
  for (const part of fingerprint) {
    if (part === DEFAULT_GROUPING) parts.push(...defaults);
    else parts.push(`fingerprint:${part}`);
  }
  return parts;
}

function defaultGrouping(event: GroupingInput): DefaultGrouping {
  const platform = text(event.platform);
  return (
    exceptionGrouping(exceptionsOf(event), platform) ??
    stacktraceGrouping(singleThreadStacktrace(event), platform) ??
    stacktraceGrouping(event.stacktrace, platform) ??
    messageGrouping(event) ?? { variant: 'fallback', parts: [[]] }
  );
}

function exceptionGrouping(
  exceptions: ExceptionInput[],
  platform: string | undefined,
): DefaultGrouping | undefined {
  if (exceptions.length === 0) return undefined;
  const chain = exceptions.map((exception) => ({
    exception,
    frames: keyFrames(framesOf(exception.stacktrace), platform),
  }));
  const app = chainParts(chain, true);
  const system = chainParts(chain, false);
  if (app.framed) return { variant: 'stacktrace', parts: [app.parts, system.parts] };
  if (system.framed) return { variant: 'stacktrace', parts: [system.parts] };
  if (system.parts.length > 0) return { variant: 'exception', parts: [system.parts] };
  return undefined;
}

function chainParts(chain: { exception: ExceptionInput; frames: KeyedFrame[] }[], appOnly: boolean) {
  const parts: Parts = [];
  let framed = false;
  for (const { exception, frames } of chain) {
    const type = isSynthetic(exception) ? undefined : text(exception.type)?.trim();
    if (type) parts.push(`type:${type}`);
    const nsError = asObject(asObject(asObject(exception.mechanism)?.meta)?.ns_error);
    if (nsError) parts.push(`ns_error:${text(nsError.domain) ?? ''}:${text(nsError.code) ?? ''}`);
    const before = parts.length;
    for (const frame of frames) if (frame.inApp || !appOnly) parts.push(frame.key);
    if (parts.length > before) framed = true;
    else if (!nsError) {
      const value = text(exception.value);
      const normalized = value === undefined ? '' : normalizeMessage(value);
      if (normalized !== '') parts.push(`value:${normalized}`);
    }
  }
  return { parts, framed };
}

function stacktraceGrouping(stacktrace: unknown, platform: string | undefined): DefaultGrouping | undefined {
  const frames = keyFrames(framesOf(stacktrace), platform);
  if (frames.length === 0) return undefined;
  const system = frames.map((frame) => frame.key);
  const app = frames.filter((frame) => frame.inApp).map((frame) => frame.key);
  return { variant: 'stacktrace', parts: app.length > 0 ? [app, system] : [system] };
}

function messageGrouping(event: GroupingInput): DefaultGrouping | undefined {
  const { template, formatted } = messageOf(event);
  // `logger.error('%s', text)` has a template of placeholders only: grouping by it would merge
  // every such event, so the final text decides then.
  const message =
    template !== undefined && (formatted === undefined || hasLiteralText(template)) ? template : formatted;
  const normalized = message === undefined ? '' : normalizeMessage(message);
  return normalized === '' ? undefined : { variant: 'message', parts: [[`message:${normalized}`]] };
}

function hasLiteralText(template: string): boolean {
  return LITERAL.test(template.replace(TEMPLATE_PLACEHOLDER, ''));
}

/** The contributing frames, oldest first, each reduced to its grouping key. */
function keyFrames(frames: FrameInput[], platform: string | undefined): KeyedFrame[] {
  const keyed: KeyedFrame[] = [];
  let previous: FrameInput | undefined;
  for (const frame of frames) {
    // Recursion: a frame repeating the one before it adds nothing.
    const repeated = previous !== undefined && sameFrame(previous, frame);
    previous = frame;
    if (repeated) continue;
    const key = frameKey(frame, text(frame.platform) ?? platform, frames.length === 1);
    if (key !== undefined) keyed.push({ key, inApp: frame.in_app === true });
  }
  return keyed;
}

function frameKey(frame: FrameInput, platform: string | undefined, alone: boolean): string | undefined {
  const js = platform !== undefined && JS_PLATFORMS.has(platform);
  const absPath = text(frame.abs_path);
  const filename = text(frame.filename);
  const rawFunction = text(frame.function)?.trim();
  if (js && (rawFunction === 'eval' || isLowQualityJsPath(absPath) || isLowQualityJsPath(filename))) {
    return undefined;
  }
  const path = absPath ?? filename;
  const fromUrl = path !== undefined && isUrl(path, platform);
  const fn = groupingFunction(rawFunction, platform, js);
  if (js && alone && fromUrl && fn === undefined) return undefined;

  const module = text(frame.module)?.trim();
  const location = module ? `module:${module}` : fromUrl ? undefined : filenamePart(filename ?? absPath);
  const context = fn === undefined ? contextLine(frame, platform, js && fromUrl) : undefined;
  if (location === undefined && fn === undefined && context === undefined) return undefined;
  return `frame:${location ?? ''}|${fn ?? ''}|${context ?? ''}`;
}

function groupingFunction(name: string | undefined, platform: string | undefined, js: boolean) {
  if (!name || name === '<redacted>' || name === '<unknown>') return undefined;
  if (js) {
    // V8 writes `Foo.bar [as baz]` and `async bar` for awaiting callers; only `bar` names the code.
    const alias = name.indexOf(' [as ');
    let method = alias > 0 ? name.slice(0, alias) : name;
    if (method.startsWith('async ')) method = method.slice('async '.length);
    const last = method.slice(method.lastIndexOf('.') + 1);
    return last === '' || JS_ANONYMOUS.has(last) ? undefined : last;
  }
  if (platform === 'ruby') return name.replace(RUBY_BLOCK, '').replace(RUBY_ERB_SUFFIX, '_erb') || undefined;
  if (platform === 'php' && name.includes('{closure}')) return undefined;
  if (platform === 'java' && name.startsWith('lambda$')) return undefined;
  return name;
}

function filenamePart(path: string | undefined): string | undefined {
  if (path === undefined || NO_FILENAME.has(path)) return undefined;
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  return base === '' ? undefined : `file:${base}`;
}

function contextLine(frame: FrameInput, platform: string | undefined, fromUrl: boolean) {
  if (fromUrl || platform === undefined || !CONTEXT_LINE_PLATFORMS.has(platform)) return undefined;
  const line =
    typeof frame.context_line === 'string' ? frame.context_line.replace(WHITESPACE, ' ').trim() : '';
  return line === '' || line.length > MAX_CONTEXT_LINE ? undefined : `context:${line}`;
}

function isLowQualityJsPath(path: string | undefined): boolean {
  return path !== undefined && LOW_QUALITY_JS_PATHS.has(path);
}

function isUrl(path: string, platform: string | undefined): boolean {
  const scheme = SCHEME.exec(path)?.[1]?.toLowerCase();
  return scheme === 'http' || scheme === 'https' || (scheme === 'file' && platform === 'javascript');
}

function sameFrame(a: FrameInput, b: FrameInput): boolean {
  return (
    a.abs_path === b.abs_path &&
    a.package === b.package &&
    a.module === b.module &&
    a.filename === b.filename &&
    a.function === b.function &&
    a.lineno === b.lineno &&
    a.colno === b.colno
  );
}
