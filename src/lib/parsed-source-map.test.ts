import { beforeAll, describe, expect, it } from 'vitest';
import { buildJsApp, type JsBuild, sourceLine, throwIn } from '../../test/support/js-builds.js';
import { ParsedSourceMap } from './parsed-source-map.js';
import { SourceText } from './source-text.js';

// A real esbuild bundle of three source files, thrown in V8: its frames are what the map must
// take back to the sources.

describe('ParsedSourceMap', () => {
  let js: JsBuild;
  let map: ParsedSourceMap;
  let minified: SourceText;

  beforeAll(async () => {
    js = await buildJsApp(2);
    map = ParsedSourceMap.parse(js.map);
    minified = new SourceText(js.code);
  });

  it("maps each minified frame to its source, line and column, and names its function from the map's names", () => {
    const frames = throwIn(js, '/srv/app.min.js');
    expect(
      frames.map((f) => {
        const at = map.originalPosition(f.lineno, f.colno);
        return [
          at && map.sources[at.sourceIndex],
          at?.line,
          at?.column,
          map.functionName(f.lineno, f.colno, f.function as string, minified),
        ];
      }),
    ).toEqual([
      ['../src/app.js', sourceLine(2, 'src/app.js', 'return new Calculator()'), 27, 'Object.crash'],
      [
        '../src/calculator.js',
        sourceLine(2, 'src/calculator.js', 'return divide(a, b)'),
        12,
        'Calculator.compute',
      ],
      ['../src/math.js', sourceLine(2, 'src/math.js', 'throw new Error'), 22, 'divide'],
    ]);
  });

  it('keeps a prefix engines add, and says when it finds no name', () => {
    const [, , thrower] = throwIn(js, '/srv/app.min.js');
    const { lineno, colno, function: name } = thrower as { lineno: number; colno: number; function: string };
    expect(map.functionName(lineno, colno, `async ${name}`, minified)).toBe('async divide');
    expect(map.functionName(lineno, colno, `${name} [as run]`, minified)).toBe('divide');
    expect(map.functionName(lineno, colno, '<anonymous>', minified)).toBeUndefined();
    expect(map.functionName(lineno, colno, 'zz', minified)).toBeUndefined();
  });

  it('gives the sources with their text, and nothing for a position without a mapping', () => {
    const math = map.sources.indexOf('../src/math.js');
    expect(map.sourceText(math)?.line(0)).toBe('export function helper0(list) {');
    expect(map.originalPosition(2, 1)).toBeUndefined();
    expect(map.originalPosition(1, 1)).toBeUndefined();
  });

  it('reads indexed maps (sections), lists to ignore, and maps without sourcesContent', () => {
    const inner = JSON.parse(js.map);
    delete inner.sourcesContent;
    inner.ignoreList = [0];
    const indexed = ParsedSourceMap.parse(
      JSON.stringify({ version: 3, sections: [{ offset: { line: 1, column: 0 }, map: inner }] }),
    );
    const [, , thrower] = throwIn(js, '/srv/app.min.js');
    const at = indexed.originalPosition((thrower?.lineno as number) + 1, thrower?.colno as number);
    expect(at && indexed.sources[at.sourceIndex]).toBe('../src/math.js');
    expect(indexed.sourceText(at?.sourceIndex as number)).toBeUndefined();
    expect([0, 1].map((i) => indexed.isIgnored(i))).toEqual([true, false]);
  });

  it('throws on what is not a source map, and weighs what it holds', () => {
    expect(() => ParsedSourceMap.parse('{"version":3')).toThrow();
    expect(() => ParsedSourceMap.parse('[]')).toThrow();
    expect(map.weight).toBeGreaterThan(js.map.length * 2);
  });
});
