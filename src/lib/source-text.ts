/** Lines shown before and after the one a frame points at, as Sentry shows them. */
export const CONTEXT_LINES = 5;

/** Longer lines are cut around the column (minified code runs to megabytes on one line). */
const MAX_LINE = 150;
const WINDOW = 140;
const SNIP = '{snip}';

const LF = 10;
const CR = 13;
const IDENTIFIER_PART = /[\p{ID_Continue}$\u200c\u200d]/u;

export interface SourceContext {
  readonly pre: string[];
  readonly line: string;
  readonly post: string[];
}

/**
 * A source file's text with an index of where its lines start, built on first use, so that a line
 * is found without splitting the whole file. Lines end at `\n`, `\r\n` or `\r`, as JavaScript
 * engines and source maps count them.
 */
export class SourceText {
  private starts: Uint32Array | undefined;

  constructor(readonly text: string) {}

  /** Bytes this holds, roughly: the string (two bytes a character) and the line index once built. */
  get weight(): number {
    return this.text.length * 2 + (this.starts?.byteLength ?? 0);
  }

  private lineStarts(): Uint32Array {
    if (this.starts) return this.starts;
    const found = [0];
    const { text } = this;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === LF) found.push(i + 1);
      else if (code === CR) {
        if (text.charCodeAt(i + 1) === LF) i++;
        found.push(i + 1);
      }
    }
    this.starts = Uint32Array.from(found);
    return this.starts;
  }

  get lineCount(): number {
    return this.lineStarts().length;
  }

  /** The line at a 0-based index, without its line break; undefined past the end. */
  line(index: number): string | undefined {
    const starts = this.lineStarts();
    if (index < 0 || index >= starts.length) return undefined;
    const start = starts[index] as number;
    let end = index + 1 < starts.length ? (starts[index + 1] as number) : this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === LF) end--;
    if (end > start && this.text.charCodeAt(end - 1) === CR) end--;
    return this.text.slice(start, end);
  }

  /** The character offset of a 0-based line and column; undefined outside the text. */
  private offset(line: number, column: number): number | undefined {
    const starts = this.lineStarts();
    if (line < 0 || line >= starts.length || column < 0) return undefined;
    const at = (starts[line] as number) + column;
    return at <= this.text.length ? at : undefined;
  }

  /**
   * The identifier at a 0-based line and column, when it is exactly `name` (not part of a longer
   * one), and up to 16 characters either side; undefined otherwise.
   */
  identifierAt(line: number, column: number, name: string): { before: string; after: string } | undefined {
    const at = this.offset(line, column);
    if (at === undefined || !this.text.startsWith(name, at)) return undefined;
    const next = this.text[at + name.length];
    if (next !== undefined && IDENTIFIER_PART.test(next)) return undefined;
    const previous = this.text[at - 1];
    if (previous !== undefined && IDENTIFIER_PART.test(previous)) return undefined;
    return {
      before: this.text.slice(Math.max(0, at - 16), at),
      after: this.text.slice(at + name.length, at + name.length + 16),
    };
  }

  /**
   * The 1-based `lineNo` with up to five lines either side, each cut to about 140 characters
   * around the 1-based `column` when it is longer; undefined when the line is not in the text.
   */
  context(lineNo: number, column: number): SourceContext | undefined {
    const index = lineNo - 1;
    const line = this.line(index);
    if (line === undefined) return undefined;
    const around = (from: number, to: number) => {
      const out: string[] = [];
      for (let i = Math.max(0, from); i < Math.min(this.lineCount, to); i++)
        out.push(trimLine(this.line(i) as string, column));
      return out;
    };
    return {
      pre: around(index - CONTEXT_LINES, index),
      line: trimLine(line, column),
      post: around(index + 1, index + 1 + CONTEXT_LINES),
    };
  }
}

/** A line of at most about 150 characters: a longer one is cut to a window around the column, marked `{snip}`. */
export function trimLine(line: string, column: number): string {
  if (line.length <= MAX_LINE) return line;
  const start = Math.max(0, Math.min(column - 1 - WINDOW / 2, line.length - WINDOW));
  const end = Math.min(line.length, start + WINDOW);
  return `${start > 0 ? `${SNIP} ` : ''}${line.slice(start, end)}${end < line.length ? ` ${SNIP}` : ''}`;
}
