import { describe, expect, it } from 'vitest';
import {
  BundleProblem,
  normalizeDebugId,
  parseBundleManifest,
  resolveSourceMapUrl,
  sourceUrlCandidates,
} from './artifact-bundle.js';

describe('normalizeDebugId', () => {
  it.each([
    ['8d2f1b0a-0e3c-4b5a-9f6e-7d8c9b0a1f2e', '8d2f1b0a-0e3c-4b5a-9f6e-7d8c9b0a1f2e'],
    ['8D2F1B0A0E3C4B5A9F6E7D8C9B0A1F2E', '8d2f1b0a-0e3c-4b5a-9f6e-7d8c9b0a1f2e'],
    ['8d2f1b0a-0e3c-4b5a-9f6e-7d8c9b0a1f2e-0', null],
    ['not-a-uuid', null],
    [42, null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeDebugId(input)).toBe(expected);
  });
});

describe('parseBundleManifest', () => {
  const files = {
    'files/_/_/a.js': {
      type: 'minified_source',
      url: '~/a.js',
      headers: { 'Debug-Id': 'AAAAAAAA-0000-0000-0000-000000000001', Sourcemap: 'a.js.map' },
    },
  };

  it('reads files, headers in any case, and the bundle fields', () => {
    const manifest = parseBundleManifest(
      JSON.stringify({
        files,
        debug_id: '11111111-2222-3333-4444-555555555555',
        org: 'acme',
        project: ['web', 'api'],
        release: 'r',
        dist: 'd',
      }),
      ['files/_/_/a.js', 'manifest.json'],
    );
    expect(manifest).toEqual({
      files: [
        {
          path: 'files/_/_/a.js',
          type: 'minified_source',
          url: '~/a.js',
          debugId: 'aaaaaaaa-0000-0000-0000-000000000001',
          sourcemap: 'a.js.map',
        },
      ],
      bundleId: '11111111-2222-3333-4444-555555555555',
      org: 'acme',
      projects: ['web', 'api'],
      release: 'r',
      dist: 'd',
    });
  });

  it.each([
    ['{', /^manifest\.json is not valid JSON/],
    ['[]', 'manifest.json is not a JSON object'],
    ['{"files":[]}', 'manifest.json: files is not an object'],
    [
      JSON.stringify({ files: { 'files/_/_/a.js': { type: 'binary' } } }),
      'manifest.json: files/_/_/a.js has an unknown type "binary"',
    ],
    [
      JSON.stringify({ files: { 'files/_/_/b.js': { type: 'source' } } }),
      'manifest.json lists 1 file(s) the bundle does not contain: files/_/_/b.js',
    ],
    [JSON.stringify({ files, release: 5 }), 'manifest.json: release is not a string'],
    [JSON.stringify({ files, debug_id: 'x' }), 'manifest.json: debug_id "x" is not a UUID'],
  ])('refuses %s', (text, message) => {
    expect(() => parseBundleManifest(text, ['files/_/_/a.js'])).toThrow(BundleProblem);
    expect(() => parseBundleManifest(text, ['files/_/_/a.js'])).toThrow(message);
  });
});

describe('sourceUrlCandidates', () => {
  it('gives the URL, without query and fragment, and under ~/', () => {
    expect(sourceUrlCandidates('https://cdn.example.com/static/app.js?v=2#top')).toEqual([
      'https://cdn.example.com/static/app.js?v=2#top',
      'https://cdn.example.com/static/app.js?v=2',
      'https://cdn.example.com/static/app.js',
      '~/static/app.js?v=2',
      '~/static/app.js',
    ]);
    expect(sourceUrlCandidates('app:///main.js')).toEqual(['app:///main.js', '~/main.js']);
  });
});

describe('resolveSourceMapUrl', () => {
  it.each([
    ['~/static/app.min.js', 'app.min.js.map', '~/static/app.min.js.map'],
    ['~/static/app.min.js', '../maps/app.js.map', '~/maps/app.js.map'],
    ['~/static/app.min.js', '/maps/app.js.map', '~/maps/app.js.map'],
    ['https://cdn.example.com/a/app.js', 'app.js.map', 'https://cdn.example.com/a/app.js.map'],
    ['~/app.js', 'https://maps.example.com/app.js.map', 'https://maps.example.com/app.js.map'],
    ['~/app.js', 'data:application/json;base64,e30=', null],
  ])('%s + %s → %s', (file, sourcemap, expected) => {
    expect(resolveSourceMapUrl(file, sourcemap)).toBe(expected);
  });
});
