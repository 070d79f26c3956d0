/** Previous and Next over a cursor-paged list; each button asks for its cursor, or is off without one. */
export function Pager({
  previous,
  next,
  onPage,
}: {
  previous: string | null | undefined;
  next: string | null | undefined;
  onPage: (cursor: string) => void;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button
        type="button"
        className="button"
        disabled={!previous}
        onClick={() => previous && onPage(previous)}
      >
        Previous
      </button>
      <button type="button" className="button" disabled={!next} onClick={() => next && onPage(next)}>
        Next
      </button>
    </nav>
  );
}
