import { describe, expect, it } from 'vitest';
import {
  isInAppSource,
  mappableLocation,
  reportsMissingSource,
  resolveLocation,
  sourceFilename,
  sourceMapImages,
  sourceModule,
  stacktraceSites,
} from './js-frames.js';

describe('mappableLocation', () => {
  const frame = (fields: Record<string, unknown>) => ({ lineno: 1, colno: 5, ...fields });
  it.each([
    ['javascript', frame({ filename: 'https://a.example/app.js' }), 'https://a.example/app.js'],
    ['javascript', frame({ abs_path: 'https://a.example/b.js', filename: 'b.js' }), 'https://a.example/b.js'],
    ['javascript', frame({ filename: '[native code]' }), undefined],
    ['javascript', frame({ filename: 'native' }), undefined],
    ['javascript', { filename: 'https://a.example/app.js', lineno: 1 }, undefined],
    ['javascript', frame({ filename: 'https://a.example/app.js', colno: 0 }), undefined],
    ['node', frame({ filename: '/srv/app/dist/app.js' }), '/srv/app/dist/app.js'],
    ['node', frame({ filename: 'app:///dist/app.js' }), 'app:///dist/app.js'],
    ['node', frame({ filename: 'file:///srv/app.mjs' }), 'file:///srv/app.mjs'],
    ['node', frame({ filename: 'node:internal/modules/cjs/loader' }), undefined],
    ['node', frame({ filename: 'events.js' }), undefined],
  ])('on %s, %j is %s', (platform, value, expected) => {
    expect(mappableLocation(value, platform)).toBe(expected);
  });
});

describe('sourceMapImages', () => {
  it('reads the debug ids of sourcemap images by their file, skipping other images and bad ids', () => {
    const images = sourceMapImages({
      debug_meta: {
        images: [
          { type: 'sourcemap', code_file: '/srv/a.js', debug_id: 'C0FFEE00-1111-2222-3333-444455556666' },
          { type: 'sourcemap', code_file: '/srv/b.js', debug_id: 'not-an-id' },
          { type: 'macho', code_file: '/srv/c', debug_id: '00000000-1111-2222-3333-444455556666' },
          null,
        ],
      },
    });
    expect([...images]).toEqual([['/srv/a.js', 'c0ffee00-1111-2222-3333-444455556666']]);
    expect(sourceMapImages({ debug_meta: 'x' }).size).toBe(0);
  });
});

describe('stacktraceSites', () => {
  it("finds exceptions', threads' and the top-level stack traces, with their holders", () => {
    const exception = { type: 'E', stacktrace: { frames: [{}] } };
    const thread = { id: 1, stacktrace: { frames: [{}, {}] } };
    const sites = stacktraceSites({
      exception: { values: [exception, { type: 'F' }] },
      threads: [thread],
      stacktrace: { frames: [{}] },
    });
    expect(sites.map((s) => [s.field, s.container, s.frames.length])).toEqual([
      ['exception', exception, 1],
      ['threads', thread, 2],
      ['stacktrace', undefined, 1],
    ]);
  });
});

describe('locations and names of original sources', () => {
  it.each([
    ['/srv/app/dist/app.js.map', '../src/math.js', '/srv/app/src/math.js'],
    ['https://a.example/static/app.js.map', '../src/math.js', 'https://a.example/src/math.js'],
    ['app:///dist/app.js.map', '../src/math.js', 'app:///src/math.js'],
    ['~/static/app.js.map', '../src/math.js', '~/src/math.js'],
    ['https://a.example/app.js.map', 'webpack://shop/./src/a.ts', 'webpack://shop/./src/a.ts'],
    ['/srv/app/dist/app.js.map', '/abs/src/a.ts', '/abs/src/a.ts'],
  ])('resolves %s + %s', (base, relative, expected) => {
    expect(resolveLocation(base, relative)).toBe(expected);
  });

  it.each([
    ['../src/math.js', 'src/math.js', 'src/math', true],
    ['webpack://shop/./src/cart.ts', 'src/cart.ts', 'src/cart', true],
    ['webpack:///./src/cart.tsx?abc', 'src/cart.tsx?abc', 'src/cart', true],
    ['../node_modules/lodash/map.js', 'node_modules/lodash/map.js', 'lodash/map', false],
    ['webpack:///webpack/bootstrap', 'webpack/bootstrap', 'webpack/bootstrap', false],
    ['https://a.example/js/app.js', 'js/app.js', 'js/app', true],
  ])('names %s: file %s, module %s, in app %s', (source, filename, module, inApp) => {
    expect([sourceFilename(source), sourceModule(source), isInAppSource(source)]).toEqual([
      filename,
      module,
      inApp,
    ]);
  });

  it('reports missing maps of the app, not of libraries or extensions', () => {
    expect(reportsMissingSource('https://a.example/app.js')).toBe(true);
    expect(reportsMissingSource('/srv/node_modules/x/index.js')).toBe(false);
    expect(reportsMissingSource('chrome-extension://abc/content.js')).toBe(false);
  });
});
