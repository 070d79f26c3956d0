import { badRequest } from '../lib/app-error.js';
import { IssueQueryError, parseIssueQuery, parseTimeWindow } from '../protocol/issue-query.js';
import { type EventScope, type EventTerm, isEventTerm } from '../store/region/event-filter.js';
import { queryValues as all, queryValue as one } from './params.js';
import type { ApiCall } from './route.js';

/**
 * Reads an event search: `query` (event terms only, else a 400 naming the term), `environment`
 * (repeatable), and the window (`statsPeriod` or `start`/`end`), for the events of `projectIds`.
 * `extraKeys` are keys the caller reads itself (events-stats' `issue.id`), left out of the terms.
 */
export function eventListScope(
  call: ApiCall,
  projectIds: readonly number[],
  extraKeys: readonly string[] = [],
): EventScope & { readonly extra: ReadonlyMap<string, readonly string[]> } {
  const q = call.query as Record<string, unknown>;
  const now = call.ctx.now();
  try {
    const query = parseIssueQuery(one(q.query) ?? '', now);
    const terms: EventTerm[] = [];
    const extra = new Map<string, string[]>();
    for (const term of query.terms) {
      if (term.kind === 'tag' && extraKeys.includes(term.key) && !term.negated) {
        const values = term.values.map((v) => {
          if (v.kind !== 'exact')
            throw badRequest(`Error parsing search query: "${term.key}" takes exact values.`);
          return v.value;
        });
        extra.set(term.key, [...(extra.get(term.key) ?? []), ...values]);
        continue;
      }
      if (!isEventTerm(term)) {
        throw badRequest(
          `Error parsing search query: "${describe(term.kind)}" searches issues, not events; search events by tags, environment:, release:, level:, user.id:/user.email:/user.username:/user.ip: or text.`,
        );
      }
      terms.push(term);
    }
    const window = parseTimeWindow(
      { statsPeriod: one(q.statsPeriod), start: one(q.start), end: one(q.end) },
      now,
    );
    const environments = all(q.environment).filter((e) => e !== '');
    return { projectIds, window, environments, terms, extra };
  } catch (error) {
    if (error instanceof IssueQueryError) throw badRequest(error.message);
    throw error;
  }
}

const TERM_WORDS: Record<string, string> = {
  status: 'is:',
  assigned: 'is:',
  for_review: 'is:',
  assignee: 'assigned:',
  bookmarked: 'bookmarks:',
  first_release: 'firstRelease:',
  release: 'release:latest',
  release_version: 'release.version:',
  release_package: 'release.package:',
  release_build: 'release.build:',
  range: 'firstSeen:/lastSeen:/timesSeen:',
};

function describe(kind: string): string {
  return TERM_WORDS[kind] ?? kind;
}
