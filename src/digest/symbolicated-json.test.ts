import { describe, expect, it } from 'vitest';
import { fieldJson, stacktraceJson } from './symbolicated-json.js';

describe('symbolicated JSON', () => {
  it('serializes a stack trace from frame texts, keeping its other fields', () => {
    const frames = [{ function: 'a', lineno: 1 }, { function: 'b' }];
    expect(
      JSON.parse(stacktraceJson({ frames: [], frames_omitted: [1, 2] }, JSON.stringify(frames))),
    ).toEqual({
      frames_omitted: [1, 2],
      frames,
    });
    expect(stacktraceJson(undefined, '[]')).toBe('{"frames":[]}');
  });

  it('serializes a field as the objects would serialize, and leaves the objects as they were', () => {
    const mapped = { frames: [{ function: 'divide', context_line: 'throw "x"' }] };
    const raw = { frames: [{ function: 't' }] };
    const first = {
      type: 'Error',
      value: 'a \u2028 b',
      stacktrace: mapped,
      raw_stacktrace: raw,
      mechanism: { handled: true },
    };
    const second = { type: 'Other', stacktrace: { frames: [{ function: 'f' }] } };
    const exception = { values: [first, second] };
    const texts = new Map([
      [
        first,
        {
          stacktrace: stacktraceJson(mapped, JSON.stringify(mapped.frames)),
          raw: JSON.stringify(raw),
        },
      ],
    ]);
    const text = fieldJson(exception, texts);
    expect(text).toBe(JSON.stringify(exception));
    expect(first.stacktrace).toBe(mapped);
    expect(first.raw_stacktrace).toBe(raw);
  });
});
