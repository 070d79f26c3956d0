import { describe, expect, it } from 'vitest';
import { sourceMapProblem } from './source-map.js';

const map = (fields: Record<string, unknown>) =>
  JSON.stringify({ version: 3, sources: ['a.js'], names: ['f'], mappings: 'AAAAA;AACA', ...fields });

describe('sourceMapProblem', () => {
  it.each([
    [map({}), null],
    [map({ mappings: '' }), null],
    [
      JSON.stringify({
        version: 3,
        sections: [{ offset: { line: 0, column: 0 }, map: JSON.parse(map({})) }],
      }),
      null,
    ],
    ['{"version":3', /^not valid JSON/],
    ['[]', 'not a JSON object'],
    [map({ version: 2 }), 'version 2 is not 3'],
    [map({ sources: 'a.js' }), 'sources is not a list'],
    [map({ mappings: 5 }), 'mappings is not a string'],
    [map({ mappings: 'AA!A' }), 'mappings holds characters outside base64 VLQ'],
    [map({ mappings: 'AAAg' }), 'mappings has an unfinished VLQ number'],
    [map({ mappings: 'AA' }), 'mappings line 1 has a segment of 2 fields'],
    [map({ mappings: 'ACAA' }), 'mappings line 1 names source 1 of 1'],
    [map({ mappings: 'AAAAC' }), 'mappings line 1 names name 1 of 1'],
    [map({ mappings: 'AADA' }), 'mappings line 1 has a negative position'],
    [map({ mappings: 'D' }), 'mappings line 1 has a negative column'],
    [
      JSON.stringify({ version: 3, sections: [{ offset: {}, url: 'x.map' }] }),
      'section 0 has no map (maps by URL are not supported)',
    ],
  ])('%s → %s', (text, expected) => {
    const problem = sourceMapProblem(text);
    if (expected === null || typeof expected === 'string') expect(problem).toBe(expected);
    else expect(problem).toMatch(expected);
  });
});
