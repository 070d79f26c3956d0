import { describe, expect, it } from 'vitest';
import type { ReleaseResolution } from '../store/region/issues.js';
import type { ReleaseRef } from '../store/region/release-links.js';
import { resolutionHolds } from './release-resolution.js';

let nextId = 1;
/** A release created at minute `at` (and released at minute `released`, when given). */
const release = (version: string, at: number, released: number | null = null): ReleaseRef => ({
  id: nextId++,
  version,
  dateCreated: at * 60_000,
  dateReleased: released === null ? null : released * 60_000,
});

// Semver releases created out of version order, and free-text ones in date order.
const v1 = release('web@1.0.0', 10);
const v2 = release('web@2.0.0', 30);
const v15 = release('web@1.5.0', 40);
const v3 = release('web@3.0.0', 50);
const a = release('build-a', 10);
const b = release('build-b', 20);
const c = release('build-c', 30);

const inRelease = (r: ReleaseRef): ReleaseResolution => ({ type: 'in_release', release: r, current: null });
const inNext = (r: ReleaseRef, current: ReleaseRef | null): ReleaseResolution => ({
  type: 'in_next_release',
  release: r,
  current,
});

describe('whether a resolution in a release holds for a new event', () => {
  it('in a commit: holds until a release holds the commit, whatever the event names', () => {
    expect(resolutionHolds({ type: 'in_commit', commitReleased: false }, v3, true)).toBe(true);
    expect(resolutionHolds({ type: 'in_commit', commitReleased: false }, null, false)).toBe(true);
    expect(resolutionHolds({ type: 'in_commit', commitReleased: true }, v1, true)).toBe(false);
    expect(resolutionHolds({ type: 'in_commit', commitReleased: true }, null, true)).toBe(false);
  });

  it('holds for an event that names no release', () => {
    expect(resolutionHolds(inRelease(v2), null, true)).toBe(true);
    expect(resolutionHolds(inNext(c, c), null, false)).toBe(true);
  });

  it('in release X, by version: X and older releases hold; newer ones regress', () => {
    expect(resolutionHolds(inRelease(v2), v1, true)).toBe(true);
    expect(resolutionHolds(inRelease(v2), v15, true)).toBe(true); // created later, but older
    expect(resolutionHolds(inRelease(v2), v2, true)).toBe(true);
    expect(resolutionHolds(inRelease(v2), v3, true)).toBe(false);
  });

  it('in release X, by date when the project does not follow semver', () => {
    expect(resolutionHolds(inRelease(v2), v15, false)).toBe(false); // created after v2
    expect(resolutionHolds(inRelease(b), a, false)).toBe(true);
    expect(resolutionHolds(inRelease(b), b, false)).toBe(true);
    expect(resolutionHolds(inRelease(b), c, false)).toBe(false);
  });

  it('in release X, by date for an event release that is not semver in a semver project', () => {
    expect(resolutionHolds(inRelease(v2), a, true)).toBe(true);
    expect(resolutionHolds(inRelease(v2), c, true)).toBe(true); // dated with X: not after it
    expect(resolutionHolds(inRelease(v2), release('build-z', 35), true)).toBe(false);
  });

  it('in the next release, by version: the current release and older hold, newer regress', () => {
    const r = inNext(v2, v2);
    expect(resolutionHolds(r, v1, true)).toBe(true);
    expect(resolutionHolds(r, v15, true)).toBe(true);
    expect(resolutionHolds(r, v2, true)).toBe(true);
    expect(resolutionHolds(r, v3, true)).toBe(false);
    expect(resolutionHolds(r, release('web@2.0.1', 5), true)).toBe(false); // newer, though dated earlier
  });

  it('in the next release, by date: releases dated after the current one regress', () => {
    const r = inNext(c, b);
    expect(resolutionHolds(r, a, false)).toBe(true);
    expect(resolutionHolds(r, b, false)).toBe(true);
    expect(resolutionHolds(r, c, false)).toBe(false);
    expect(resolutionHolds(r, release('build-d', 60), false)).toBe(false);
  });

  it('dates a release by when it was released, else when it was created', () => {
    const shippedEarly = release('build-x', 90, 5);
    expect(resolutionHolds(inNext(b, b), shippedEarly, false)).toBe(true);
    expect(resolutionHolds(inRelease(shippedEarly), a, false)).toBe(false);
  });

  it('in the next release without a current release: by the resolving release', () => {
    const r = inNext(b, null);
    expect(resolutionHolds(r, a, false)).toBe(true);
    expect(resolutionHolds(r, b, false)).toBe(true);
    expect(resolutionHolds(r, c, false)).toBe(false);
  });

  it('in the next release with a stale current release: still holds below the resolving one', () => {
    // Resolved while the project was dated by time (current v1), later compared by version.
    const r: ReleaseResolution = { type: 'in_release', release: v3, current: v1 };
    expect(resolutionHolds(r, v2, true)).toBe(true);
    expect(resolutionHolds(r, release('web@3.1.0', 70), true)).toBe(false);
  });
});
