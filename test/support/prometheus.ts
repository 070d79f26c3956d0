/** One sample of a Prometheus text exposition: its name, labels and value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The exposition parsed: every sample, and each metric family's declared TYPE. */
export interface Exposition {
  readonly samples: readonly Sample[];
  readonly types: ReadonlyMap<string, string>;
  /** The value of the sample with exactly these labels; undefined when there is none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** The sum over every sample of the name whose labels include these. */
  sum(name: string, labels?: Record<string, string>): number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  let consumed = 0;
  for (let m = LABEL.exec(text); m; m = LABEL.exec(text)) {
    labels[m[1] as string] = (m[2] as string).replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    consumed = LABEL.lastIndex;
  }
  if (consumed !== text.length) throw new Error(`malformed labels: {${text}}`);
  return labels;
}

function parseValue(text: string): number {
  // Prometheus reads these case-insensitively (Go's ParseFloat); prom-client writes NaN as `Nan`.
  if (/^\+?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`malformed value: ${text}`);
  return value;
}

/**
 * Parses Prometheus' text format (version 0.0.4, what prom-client writes). Strict: a line it cannot
 * read throws, so a malformed exposition fails the test instead of dropping samples.
 */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (type) types.set(type[1] as string, type[2] as string);
      else if (!/^# HELP \S+ /.test(line)) throw new Error(`malformed comment: ${line}`);
      continue;
    }
    const m = LINE.exec(line);
    if (!m) throw new Error(`malformed sample: ${line}`);
    samples.push({
      name: m[1] as string,
      labels: parseLabels(m[2] ?? ''),
      value: parseValue(m[3] as string),
    });
  }
  const matches = (sample: Sample, labels: Record<string, string>, exact: boolean) =>
    Object.entries(labels).every(([k, v]) => sample.labels[k] === v) &&
    (!exact || Object.keys(sample.labels).length === Object.keys(labels).length);
  return {
    samples,
    types,
    value: (name, labels = {}) => samples.find((s) => s.name === name && matches(s, labels, true))?.value,
    sum: (name, labels = {}) =>
      samples.filter((s) => s.name === name && matches(s, labels, false)).reduce((a, s) => a + s.value, 0),
  };
}
