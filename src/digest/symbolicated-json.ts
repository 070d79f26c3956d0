type Json = Record<string, unknown>;

/** The JSON texts of a stack trace that symbolication rewrote. */
export interface StacktraceTexts {
  /** The mapped stack trace: its own fields, and the frames from their texts. */
  readonly stacktrace: string;
  /** `raw_stacktrace`: the frames as sent. */
  readonly raw: string;
}

/**
 * The JSON of a stack trace object whose frames are given as JSON text (an array): its other
 * fields (`frames_omitted`, `registers`, …) serialized, the frames as they are.
 */
export function stacktraceJson(stacktrace: unknown, framesJson: string): string {
  const { frames: _, ...rest } = (
    typeof stacktrace === 'object' && stacktrace !== null ? stacktrace : {}
  ) as Json;
  const fields = Object.keys(rest).length > 0 ? `${JSON.stringify(rest).slice(1, -1)},` : '';
  return `{${fields}"frames":${framesJson}}`;
}

const PLACEHOLDER = /"\\u0000(\d+)([sr])"/g;

/**
 * The JSON of an event field (`exception`, `threads`) whose containers' stack traces are given as
 * JSON texts: the rest is serialized with placeholders standing in for those, which then give way
 * to the texts, so that the frames, most of the bytes, are not serialized again. The containers
 * are left as they were.
 */
export function fieldJson(value: unknown, texts: ReadonlyMap<Json, StacktraceTexts>): string {
  const entries = [...texts];
  const saved = entries.map(([container]) => [container.stacktrace, container.raw_stacktrace] as const);
  entries.forEach(([container], index) => {
    container.stacktrace = `\u0000${index}s`;
    container.raw_stacktrace = `\u0000${index}r`;
  });
  let text: string;
  try {
    text = JSON.stringify(value);
  } finally {
    entries.forEach(([container], index) => {
      const [stacktrace, raw] = saved[index] as readonly [unknown, unknown];
      container.stacktrace = stacktrace;
      if (raw === undefined) delete container.raw_stacktrace;
      else container.raw_stacktrace = raw;
    });
  }
  return text.replace(PLACEHOLDER, (_, index: string, kind: string) => {
    const found = entries[Number(index)]?.[1] as StacktraceTexts;
    return kind === 's' ? found.stacktrace : found.raw;
  });
}
