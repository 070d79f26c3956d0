import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The file under the data directory that holds the first start's secrets when no terminal shows them. */
export const FIRST_START_FILE = 'first-start.txt';

/**
 * Writes the first start's notice (the owner's password, a token, the DSN) to a file only its
 * owner can read, creating the data directory (700) if need be, and returns the file's path. A
 * server whose output goes to a log must not put those secrets there: logs are kept, shipped and
 * read by more people than the owner.
 */
export function writeFirstStartNotice(dataDir: string, notice: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, FIRST_START_FILE);
  // One left by an earlier start may have other permissions; a new file gets them right.
  rmSync(file, { force: true });
  writeFileSync(file, `${notice.trim()}\n`, { mode: 0o600, flag: 'wx' });
  return file;
}
