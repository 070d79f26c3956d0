import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Everything the bench keeps between runs: the REST store, a build of the working tree, profiles. */
export const CACHE_DIR = path.resolve(import.meta.dirname, '../.cache');

/**
 * Creates the cache directory with a `.gitignore` of its own that ignores everything in it, so the
 * multi-GB REST store can never be committed by accident.
 */
export function ensureCacheDir(): void {
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(
    path.join(CACHE_DIR, '.gitignore'),
    '# Written by bench/run.ts: nothing here belongs in git.\n*\n',
  );
}
