import type { Organization, Region } from './types.js';

/** The same URL with or without a trailing slash: the two may be configured either way. */
function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/** The region holding an organization, found by its `links.regionUrl`; undefined if none has that URL. */
export function regionOf(regions: readonly Region[], org: Pick<Organization, 'links'>): Region | undefined {
  return regions.find((r) => sameUrl(r.url, org.links.regionUrl));
}

/** Regions are named in the UI only when there is a choice: a one-region install shows none of them. */
export function severalRegions(regions: readonly Region[]): boolean {
  return regions.length > 1;
}
