import { type ReactElement, useId, useState } from 'react';
import type { Frame, Stacktrace } from '../../lib/types.js';

/**
 * A local variable as Python writes it. The Python SDK sends strings already in repr (`'n1'`), and
 * containers as JSON whose null, true and false stand for None, True and False.
 */
export function pythonValue(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(pythonValue).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${/^'.*'$/.test(k) ? k : `'${k}'`}: ${pythonValue(v)}`).join(', ')}}`;
  }
  return String(value);
}

function frameLabel(frame: Frame): string {
  return frame.filename ?? frame.module ?? frame.absPath ?? frame.package ?? '<unknown>';
}

/** One frame: a header that opens its source context, the failing line marked. */
function FrameView({
  frame,
  initiallyOpen,
  platform,
}: {
  frame: Frame;
  initiallyOpen: boolean;
  platform?: string | null | undefined;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  const id = useId();
  const hasDetail = frame.context.length > 0 || (frame.vars && Object.keys(frame.vars).length > 0);
  const head = (
    <>
      <span className="frame-file">{frameLabel(frame)}</span>
      {frame.function && (
        <>
          {' in '}
          <span className="frame-function">{frame.function}</span>
        </>
      )}
      {frame.lineNo !== null && (
        <>
          {' at line '}
          <span className="frame-line">
            {frame.lineNo}
            {frame.colNo !== null ? `:${frame.colNo}` : ''}
          </span>
        </>
      )}
      {frame.inApp && <span className="badge in-app">In app</span>}
    </>
  );
  return (
    <li className={`frame${frame.inApp ? ' in-app' : ' library'}${open ? ' open' : ''}`}>
      {hasDetail ? (
        <button
          type="button"
          className="frame-head"
          aria-expanded={open}
          aria-controls={id}
          onClick={() => setOpen(!open)}
        >
          <span className="chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          {head}
        </button>
      ) : (
        <div className="frame-head">{head}</div>
      )}
      {open && hasDetail && (
        <div id={id} className="frame-detail">
          {frame.context.length > 0 && (
            <ol className="context" start={frame.context[0]?.[0]}>
              {frame.context.map(([line, text]) => (
                <li
                  key={line}
                  value={line}
                  className={line === frame.lineNo ? 'active' : undefined}
                  aria-current={line === frame.lineNo ? 'true' : undefined}
                >
                  <code>{text || ' '}</code>
                </li>
              ))}
            </ol>
          )}
          {frame.vars && Object.keys(frame.vars).length > 0 && (
            <table className="kv vars">
              <caption>Local variables</caption>
              <tbody>
                {Object.entries(frame.vars).map(([key, value]) => (
                  <tr key={key}>
                    <th scope="row">{key}</th>
                    <td>
                      <code>
                        {platform === 'python'
                          ? pythonValue(value)
                          : typeof value === 'string'
                            ? value
                            : JSON.stringify(value)}
                      </code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </li>
  );
}

/** A frame and its place in the trace as sent (oldest call first): a key that survives reordering. */
interface Placed {
  readonly frame: Frame;
  readonly place: number;
}

/** A run of library frames, folded into one line until asked for. */
function LibraryFrames({ frames }: { frames: Placed[] }) {
  const [open, setOpen] = useState(false);
  if (open)
    return frames.map(({ frame, place }) => <FrameView key={place} frame={frame} initiallyOpen={false} />);
  return (
    <li className="frame folded">
      <button type="button" className="link-button" onClick={() => setOpen(true)}>
        Show {frames.length} library frame{frames.length === 1 ? '' : 's'}
      </button>
    </li>
  );
}

/**
 * A stack trace, most recent call first. In-app frames lead: library frames fold into one line
 * each run (unless the trace has no in-app frame at all), and the crashing in-app frame opens with
 * its context lines. When source maps mapped it, `raw` holds the frames as the SDK sent them
 * (minified), one click away.
 */
export function StackTraceView({
  stacktrace,
  raw,
  platform,
  shared = 0,
}: {
  stacktrace: Stacktrace;
  raw?: Stacktrace | null;
  platform?: string | null;
  /** How many of the oldest frames are those of the exception shown above, folded into one line. */
  shared?: number;
}) {
  const [minified, setMinified] = useState(false);
  const shown = minified && raw ? raw : stacktrace;
  return (
    <div className="stacktrace">
      {raw && (
        <fieldset className="stacktrace-source">
          <legend className="visually-hidden">Frames shown</legend>
          <button
            type="button"
            className={`button small${minified ? '' : ' selected'}`}
            aria-pressed={!minified}
            onClick={() => setMinified(false)}
          >
            Original source
          </button>
          <button
            type="button"
            className={`button small${minified ? ' selected' : ''}`}
            aria-pressed={minified}
            onClick={() => setMinified(true)}
          >
            Minified
          </button>
          <span className="muted">
            {minified
              ? 'The frames as the SDK sent them, before source maps.'
              : 'Mapped through the uploaded source maps.'}
          </span>
        </fieldset>
      )}
      {/* A key per view: each keeps its own open frames and folds. */}
      <Frames
        key={minified ? 'minified' : 'original'}
        stacktrace={shown}
        platform={platform}
        shared={minified ? 0 : shared}
      />
    </div>
  );
}

/** Frames shown before "Show N more frames", when a trace is deeper than that. */
const SHOWN_FRAMES = 12;

const sameCall = (a: Frame, b: Frame) =>
  a.filename === b.filename && a.module === b.module && a.function === b.function && a.lineNo === b.lineNo;

/** A frame the call just before it repeats (recursion): one line saying how often. */
function RepeatedFrames({ frames, platform }: { frames: Placed[]; platform?: string | null }) {
  const [open, setOpen] = useState(false);
  if (open)
    return frames.map(({ frame, place }) => (
      <FrameView key={place} frame={frame} initiallyOpen={false} platform={platform} />
    ));
  return (
    <li className="frame folded repeated">
      <button type="button" className="link-button" onClick={() => setOpen(true)}>
        The same call repeated {frames.length} more time{frames.length === 1 ? '' : 's'}
      </button>
    </li>
  );
}

function Frames({
  stacktrace,
  platform,
  shared,
}: {
  stacktrace: Stacktrace;
  platform?: string | null;
  shared: number;
}) {
  const [full, setFull] = useState(false);
  const [oldestFirst, setOldestFirst] = useState(false);
  const [all, setAll] = useState(false);
  const [showShared, setShowShared] = useState(false);
  const folded = showShared ? 0 : shared;
  const placed: Placed[] = stacktrace.frames.map((frame, place) => ({ frame, place })).slice(folded);
  const ordered = oldestFirst ? placed : [...placed].reverse();
  const anyInApp = placed.some((p) => p.frame.inApp);
  // The crashing frame is the last call in app code, or the very last call when there is none.
  const openFrame = placed.findLast((p) => p.frame.inApp) ?? placed[placed.length - 1];

  const items: ReactElement[] = [];
  let run: Placed[] = [];
  let repeats: Placed[] = [];
  let last: Frame | null = null;
  const flush = () => {
    if (run.length > 0) items.push(<LibraryFrames key={`run-${run[0]?.place}`} frames={run} />);
    run = [];
  };
  const flushRepeats = () => {
    if (repeats.length > 0)
      items.push(<RepeatedFrames key={`rep-${repeats[0]?.place}`} frames={repeats} platform={platform} />);
    repeats = [];
  };
  for (const p of ordered) {
    if (!full && anyInApp && !p.frame.inApp) {
      flushRepeats();
      run.push(p);
      last = null;
      continue;
    }
    flush();
    if (last && sameCall(last, p.frame)) {
      repeats.push(p);
      continue;
    }
    flushRepeats();
    last = p.frame;
    items.push(
      <FrameView key={p.place} frame={p.frame} initiallyOpen={p === openFrame} platform={platform} />,
    );
  }
  flush();
  flushRepeats();
  const hidden = all ? [] : items.slice(SHOWN_FRAMES);
  const hiddenFrames = placed.length - countShown(items.slice(0, SHOWN_FRAMES));
  const sharedLine = folded > 0 && (
    <li className="frame folded shared">
      <button type="button" className="link-button" onClick={() => setShowShared(true)}>
        {folded} older call{folded === 1 ? '' : 's'} as in the exception above
      </button>
    </li>
  );

  return (
    <>
      <div className="stacktrace-options">
        {anyInApp && stacktrace.frames.some((f) => !f.inApp) && (
          <label>
            <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} /> Show library
            frames
          </label>
        )}
        <label>
          <input type="checkbox" checked={oldestFirst} onChange={(e) => setOldestFirst(e.target.checked)} />{' '}
          Oldest call first
        </label>
      </div>
      <ol className="frames" aria-label="Stack frames">
        {oldestFirst && sharedLine}
        {hidden.length > 0 ? items.slice(0, SHOWN_FRAMES) : items}
        {hidden.length > 0 && (
          <li className="frame folded">
            <button type="button" className="link-button" onClick={() => setAll(true)}>
              Show {hiddenFrames} more frame{hiddenFrames === 1 ? '' : 's'}
            </button>
          </li>
        )}
        {!oldestFirst && hidden.length === 0 && sharedLine}
      </ol>
    </>
  );
}

/** How many frames some items stand for: a frame is one, a fold the frames it holds. */
function countShown(items: ReactElement[]): number {
  return items.reduce((n, item) => {
    const frames = (item.props as { frames?: unknown[] }).frames;
    return n + (Array.isArray(frames) ? frames.length : 1);
  }, 0);
}
