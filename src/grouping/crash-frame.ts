import {
  exceptionsOf,
  type FrameInput,
  framesOf,
  type GroupingInput,
  singleThreadStacktrace,
  text,
} from './grouping-input.js';

/** The function name as shown to people: trimmed; `undefined` when missing or a placeholder. */
export function displayFunction(frame: FrameInput): string | undefined {
  const name = text(frame.function)?.trim();
  return name && name !== '<redacted>' && name !== '<unknown>' ? name : undefined;
}

/**
 * The frame where the event happened: walking the main exception's frames (else the top-level
 * stack trace's, else the only thread's) from the newest, the first `in_app` frame that names a
 * function, else the newest frame that names one.
 *
 * @example findCrashFrame(event)?.function // 'handleRequest'
 */
export function findCrashFrame(event: GroupingInput): FrameInput | undefined {
  let frames = framesOf(exceptionsOf(event).at(-1)?.stacktrace);
  if (frames.length === 0) frames = framesOf(event.stacktrace);
  if (frames.length === 0) frames = framesOf(singleThreadStacktrace(event));

  let newest: FrameInput | undefined;
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i]!;
    if (displayFunction(frame) === undefined) continue;
    if (frame.in_app === true) return frame;
    newest ??= frame;
  }
  return newest;
}
