import type { ExceptionValue, Frame } from '../../lib/types.js';
import { StackTraceView } from './stack-trace.js';

/**
 * The exception chain, the one that was caught first and each cause after it. Sentry sends the
 * chain oldest first (the root cause leads), so it is shown reversed.
 */
export function ExceptionChain({ values, platform }: { values: ExceptionValue[]; platform?: string | null }) {
  const chain = values.map((exception, place) => ({ exception, place })).reverse();
  return (
    <div className="exceptions">
      {chain.map(({ exception, place }, shownAt) => (
        <article className="exception" key={place} aria-label={exception.type ?? 'Exception'}>
          {place < values.length - 1 && <p className="caused-by">Caused by</p>}
          <h3 className="exception-title">
            <span className="exception-type">{exception.type ?? 'Error'}</span>
            {exception.value && <span className="exception-value">{exception.value}</span>}
          </h3>
          {exception.mechanism && (
            <p className="mechanism">
              mechanism: <code>{exception.mechanism.type ?? 'generic'}</code>
              {exception.mechanism.handled === false && <span className="badge unhandled">Unhandled</span>}
              {exception.mechanism.handled === true && <span className="badge handled">Handled</span>}
            </p>
          )}
          {exception.stacktrace ? (
            <StackTraceView
              stacktrace={exception.stacktrace}
              raw={exception.rawStacktrace}
              platform={platform}
              shared={sharedCalls(
                exception.stacktrace.frames,
                chain[shownAt - 1]?.exception.stacktrace?.frames,
              )}
            />
          ) : (
            <p className="muted">No stack trace was sent with this exception.</p>
          )}
        </article>
      ))}
    </div>
  );
}

const sameFrame = (a: Frame, b: Frame) =>
  a.filename === b.filename &&
  a.absPath === b.absPath &&
  a.module === b.module &&
  a.function === b.function &&
  a.lineNo === b.lineNo &&
  a.colNo === b.colNo;

/**
 * How many of the oldest calls an exception shares with the one shown above it: a wrapped error
 * was raised inside the same outer calls, and showing them again for each cause hides what differs.
 */
export function sharedCalls(frames: Frame[], above: Frame[] | undefined): number {
  if (!above) return 0;
  let n = 0;
  while (n < frames.length && n < above.length && sameFrame(frames[n] as Frame, above[n] as Frame)) n++;
  // The raising frame itself always stays in view.
  return Math.min(n, frames.length - 1);
}
