import type { ExceptionValue } from '../../lib/types.js';
import { StackTraceView } from './stack-trace.js';

/**
 * The exception chain, the one that was caught first and each cause after it. Sentry sends the
 * chain oldest first (the root cause leads), so it is shown reversed.
 */
export function ExceptionChain({ values, platform }: { values: ExceptionValue[]; platform?: string | null }) {
  const chain = values.map((exception, place) => ({ exception, place })).reverse();
  return (
    <div className="exceptions">
      {chain.map(({ exception, place }) => (
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
            />
          ) : (
            <p className="muted">No stack trace was sent with this exception.</p>
          )}
        </article>
      ))}
    </div>
  );
}
