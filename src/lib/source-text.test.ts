import { describe, expect, it } from 'vitest';
import { SourceText, trimLine } from './source-text.js';

describe('SourceText', () => {
  it('finds lines ending in \\n, \\r\\n or \\r, as engines count them', () => {
    const text = new SourceText('one\ntwo\r\nthree\rfour');
    expect(text.lineCount).toBe(4);
    expect([0, 1, 2, 3, 4].map((i) => text.line(i))).toEqual(['one', 'two', 'three', 'four', undefined]);
    expect(new SourceText('end\n').line(1)).toBe('');
  });

  it('gives a line with up to five lines either side', () => {
    const text = new SourceText(Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n'));
    expect(text.context(3, 1)).toEqual({
      pre: ['line 1', 'line 2'],
      line: 'line 3',
      post: ['line 4', 'line 5', 'line 6', 'line 7', 'line 8'],
    });
    expect(text.context(20, 1)?.post).toEqual([]);
    expect(text.context(21, 1)).toBeUndefined();
  });

  it('finds a whole identifier at a position, with the text around it', () => {
    const text = new SourceText('var a=1;function ab(){}');
    expect(text.identifierAt(0, 4, 'a')).toEqual({ before: 'var ', after: '=1;function ab()' });
    expect(text.identifierAt(0, 17, 'a')).toBeUndefined();
    expect(text.identifierAt(0, 18, 'b')).toBeUndefined();
    expect(text.identifierAt(0, 17, 'ab')?.before).toBe('ar a=1;function ');
    expect(text.identifierAt(3, 0, 'a')).toBeUndefined();
  });
});

describe('trimLine', () => {
  it('keeps short lines and cuts long ones to a window around the column', () => {
    expect(trimLine('short', 3)).toBe('short');
    const long = `${'x'.repeat(100)}HERE${'y'.repeat(300)}`;
    const cut = trimLine(long, 101);
    expect(cut).toMatch(/^\{snip\} x+HEREy+ \{snip\}$/);
    expect(cut.length).toBeLessThanOrEqual(154);
    expect(trimLine(long, 1).startsWith('xxx')).toBe(true);
    expect(trimLine(long, 404).endsWith('yyy')).toBe(true);
  });
});
