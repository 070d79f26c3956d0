// Each pattern refuses to start inside a word (lookbehind), so a long run of letters or digits is
// scanned once rather than from every position, and no pattern nests a quantifier inside another
// over the same characters: matching stays linear in the message length.
const MONTH = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const WEEKDAY = 'mon|tue|wed|thu|fri|sat|sun';
const HEX4 = '[0-9a-f]{1,4}';
const HEX_GROUPS = `${HEX4}(?::${HEX4}){0,6}`;

/** In order: at one position the first pattern that matches wins. */
const PATTERNS: ReadonlyArray<readonly [name: string, source: string]> = [
  ['email', String.raw`(?<![\w.%+-])[\w.%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+`],
  ['url', String.raw`(?<!\w)(?:https?|wss?|ftp)://[^\s"'<>]+`],
  [
    'hostname',
    String.raw`(?<![\w.-])(?:[a-z0-9-]+\.)+(?:com|net|org|io|dev|edu|gov|info|local|internal|cloud)(?![\w-]|\.\w)`,
  ],
  [
    'ip',
    String.raw`(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)` +
      String.raw`|(?<![\w:.])(?:(?:${HEX4}:){7}${HEX4}|(?:${HEX_GROUPS})?::(?:${HEX_GROUPS})?)(?![\w:.])`,
  ],
  ['uuid', String.raw`(?<![\w-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])`],
  ['sha1', String.raw`(?<!\w)[0-9a-f]{40}(?!\w)`],
  ['md5', String.raw`(?<!\w)[0-9a-f]{32}(?!\w)`],
  [
    'date',
    String.raw`(?<![\w.])(?:` +
      // ISO 8601: 2024-01-15, 2024-01-15T10:00:00.123Z, 2024/01/15 10:00+02:00
      String.raw`\d{4}[-/]\d{2}[-/]\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:z|[+-]\d{2}(?::?\d{2})?)?)?` +
      // RFC 2822: Mon, 15 Jan 2024 10:00:00 +0000
      String.raw`|(?:${WEEKDAY}),?\s+\d{1,2}\s+(?:${MONTH})\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?(?:\s+(?:[+-]\d{4}|gmt|utc))?` +
      // JavaScript Date#toString: Mon Jan 15 2024 10:00:00 GMT+0000 (Coordinated Universal Time)
      String.raw`|(?:${WEEKDAY})\s+(?:${MONTH})\s+\d{1,2}\s+\d{4}(?:\s+\d{2}:\d{2}:\d{2}(?:\s+gmt[+-]\d{4})?(?:\s+\([^)\n]{0,64}\))?)?` +
      // Common log format: 15/Jan/2024:10:00:00 +0000
      String.raw`|\d{2}/(?:${MONTH})/\d{4}:\d{2}:\d{2}:\d{2}(?:\s[+-]\d{4})?` +
      // A time alone: 10:00:00, 10:00:00.123
      String.raw`|\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?` +
      String.raw`)(?!\w)`,
  ],
  [
    'duration',
    String.raw`(?<![\w.])\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|\s?(?:msecs?|milliseconds?|secs?|seconds?|mins?|minutes?|hours?|hrs?|days?))(?!\w)`,
  ],
  ['hex', String.raw`(?<![\w.])0x[0-9a-f]+(?!\w)`],
  ['float', String.raw`(?<![\w.])-?(?:\d+\.\d+(?:e[+-]?\d+)?|\d+e[+-]?\d+)(?!\w|\.\d)`],
  ['int', String.raw`(?<![\w.])-?\d+(?!\w|\.\d)`],
  ['quoted_str', String.raw`(?<!\w)(?:'[^'\n]*'|"[^"\n]*")`],
  ['bool', String.raw`(?<![\w.])(?:true|false)(?!\w)`],
];

const NAMES = PATTERNS.map(([name]) => name);
const COMBINED = new RegExp(PATTERNS.map(([name, source]) => `(?<${name}>${source})`).join('|'), 'gi');
const DIGIT = /\d/;

function placeholder(match: string, ...args: unknown[]): string {
  const groups = args.at(-1) as Record<string, string | undefined>;
  for (const name of NAMES) {
    if (groups[name] === undefined) continue;
    // A bare `::` or `abc::def` (C++, Ruby, PHP scopes) is not an address worth hiding.
    if (name === 'ip' && !DIGIT.test(match)) return match;
    return `<${name}>`;
  }
  return match;
}

/**
 * Replaces the variable parts of a message with `<name>` placeholders so that messages differing
 * only in ids, numbers, addresses or times read the same. The names, in the order they are tried:
 * `email`, `url`, `hostname`, `ip` (v4 and v6), `uuid`, `sha1`, `md5`, `date`, `duration`, `hex`,
 * `float`, `int`, `quoted_str`, `bool`.
 *
 * @example parameterize('Order 1234 failed for bob@x.io') // 'Order <int> failed for <email>'
 */
export function parameterize(message: string): string {
  return message.replace(COMBINED, placeholder);
}

/**
 * What grouping compares of a message or an exception value: its first two non-empty lines (with
 * `...` appended when more were cut), parameterized.
 *
 * @example normalizeMessage('Timeout after 30s\n\n  at db.query\n  at main') // 'Timeout after <duration>\n  at db.query...'
 */
export function normalizeMessage(message: string): string {
  const kept: string[] = [];
  let cut = false;
  for (const line of message.split('\n')) {
    if (line.trim() === '') continue;
    if (kept.length === 2) {
      cut = true;
      break;
    }
    kept.push(line.trimEnd());
  }
  const head = parameterize(kept.join('\n').trim());
  return cut ? `${head}...` : head;
}
