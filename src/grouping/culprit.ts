import {
  asObject,
  exceptionsOf,
  type FrameInput,
  framesOf,
  type GroupingInput,
  isSynthetic,
  text,
} from './grouping-input.js';
import { truncate } from './truncate.js';

/** Sentry's limit on the culprit column. */
const MAX_CULPRIT = 200;
const NATIVE_PLATFORMS = new Set(['objc', 'cocoa', 'native']);
const JS_PLATFORMS = new Set(['javascript', 'node']);

/**
 * The culprit, "where it happened", at most 200 characters: an old client's own `culprit`,
 * else the `transaction`, else the in-app frame nearest the crash (`app.views in index` for Python,
 * `handler(/app/server.js)` for JavaScript), else the request URL. Empty for synthetic exceptions.
 *
 * @example deriveCulprit({ transaction: 'GET /users/:id' }) // 'GET /users/:id'
 */
export function deriveCulprit(event: GroupingInput): string {
  const given = text(event.culprit)?.trim() || text(event.transaction)?.trim();
  if (given) return truncate(given, MAX_CULPRIT);

  let frames: FrameInput[] = [];
  const exceptions = exceptionsOf(event);
  if (exceptions.length > 0) {
    if (isSynthetic(exceptions.at(-1))) return '';
    for (const exception of exceptions) {
      const candidate = framesOf(exception.stacktrace);
      if (candidate.length > 0) frames = candidate;
    }
  } else {
    frames = framesOf(event.stacktrace);
  }

  const culprit = stacktraceCulprit(frames, text(event.platform)) || text(asObject(event.request)?.url) || '';
  return truncate(culprit, MAX_CULPRIT);
}

function stacktraceCulprit(frames: FrameInput[], platform: string | undefined): string | undefined {
  let fallback: string | undefined;
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i]!;
    const culprit = frameCulprit(frame, text(frame.platform) ?? platform);
    if (culprit === '') continue;
    if (frame.in_app === true) return culprit;
    fallback ??= culprit;
  }
  return fallback;
}

function frameCulprit(frame: FrameInput, platform: string | undefined): string {
  const fn = text(frame.function)?.trim() || '?';
  if (platform !== undefined && NATIVE_PLATFORMS.has(platform)) return fn;
  const location = text(frame.module) ?? text(frame.filename);
  if (location === undefined) return '';
  return platform !== undefined && JS_PLATFORMS.has(platform) ? `${fn}(${location})` : `${location} in ${fn}`;
}
