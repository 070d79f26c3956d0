// Sentry's short issue ids, as the API, the web UI's links and alert messages show them.

/** `WEB-1A`: the project slug in capitals and the per-project number in base 36. */
export function formatShortId(projectSlug: string, shortId: number): string {
  return `${projectSlug.toUpperCase()}-${shortId.toString(36).toUpperCase()}`;
}

/** The inverse of formatShortId; null when the text is not a short id. */
export function parseShortId(text: string): { projectSlug: string; shortId: number } | null {
  const match = /^(.+)-([0-9A-Za-z]{1,12})$/.exec(text);
  if (!match) return null;
  const shortId = Number.parseInt(match[2] as string, 36);
  return Number.isSafeInteger(shortId) && shortId > 0
    ? { projectSlug: (match[1] as string).toLowerCase(), shortId }
    : null;
}
