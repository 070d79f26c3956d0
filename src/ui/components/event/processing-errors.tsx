import type { EventError } from '../../lib/types.js';

const text = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

/** What went wrong, in words, with what a person can do about it. */
function describe(error: EventError): string {
  const { data } = error;
  switch (error.type) {
    case 'js_no_source':
      return `No source map was found for ${text(data.url)}: its frames are shown minified. Upload the build's source maps (sentry-cli sourcemaps inject, then sourcemaps upload) and new events will be mapped.`;
    case 'js_invalid_source':
      return `The source map ${text(data.url)} could not be read, so its frames are shown minified.`;
    case 'js_missing_sources_content':
      return `The source map ${text(data.sourcemap)} does not hold the text of ${text(data.source)}: the frame is mapped, but no source lines can be shown.`;
    case 'js_invalid_sourcemap_location':
      return `Line ${text(data.row)}, column ${text(data.column)} of ${text(data.source)} is not in its source map (a map of another build?): the frame is shown minified.`;
    default: {
      const name = text(data.name);
      return `${error.message || error.type}${name ? `: ${name}` : ''}.`;
    }
  }
}

/** The processing errors of an event (Sentry's `errors`), each in a sentence. */
export function ProcessingErrors({ errors }: { errors: EventError[] }) {
  return (
    <ul className="processing-errors">
      {errors.map((error, index) => (
        // The list is the event's, fixed: its order is a key.
        // biome-ignore lint/suspicious/noArrayIndexKey: errors have no identity of their own.
        <li key={index}>
          <strong>{error.message || error.type}</strong> <span>{describe(error)}</span>
        </li>
      ))}
    </ul>
  );
}
