import { describe, expect, it } from 'vitest';
import { alertFrames } from './alert-frames.js';

const frame = (fn: string, inApp: boolean) => ({
  filename: `${fn}.js`,
  function: fn,
  lineno: 1,
  in_app: inApp,
});

describe('the frames an alert shows', () => {
  it('takes the innermost in-app frames of the last exception with a stack trace, at most five, innermost first', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const document = {
      exception: {
        values: [
          { type: 'Cause', stacktrace: { frames: [frame('cause', true)] } },
          {
            type: 'Error',
            stacktrace: { frames: [...names.map((n) => frame(n, true)), frame('lib', false)] },
          },
          { type: 'NoTrace' },
        ],
      },
    };
    expect(alertFrames(document).map((f) => f.function)).toEqual(['g', 'f', 'e', 'd', 'c']);
    expect(alertFrames(document)[0]).toEqual({
      filename: 'g.js',
      function: 'g',
      lineno: 1,
      colno: null,
      module: null,
    });
  });

  it("falls back to every frame when none is in-app, and to the event's own stack trace", () => {
    expect(
      alertFrames({ exception: [{ stacktrace: { frames: [frame('x', false)] } }] }).map((f) => f.function),
    ).toEqual(['x']);
    expect(alertFrames({ stacktrace: { frames: [frame('m', true)] } }).map((f) => f.function)).toEqual(['m']);
    expect(alertFrames({ message: 'no frames' })).toEqual([]);
    expect(alertFrames(null)).toEqual([]);
  });
});
