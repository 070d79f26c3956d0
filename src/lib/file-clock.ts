import { readFileSync } from 'node:fs';

/**
 * A clock that runs ahead of real time by the milliseconds written in `file`, read again at every
 * reading, so that the process that uses it follows each change at once. For tests that move the
 * clock of a server process they started (config's ERRATA_TEST_CLOCK_FILE); a file that is
 * missing or holds no whole number throws, since a test must not run on a clock it did not set.
 *
 * @example writeFileSync(file, String(30 * 60_000)) // the process's time is now half an hour on
 */
export function fileClock(file: string): () => number {
  return () => {
    const text = readFileSync(file, 'utf8').trim();
    if (!/^-?\d+$/.test(text)) throw new Error(`${file} holds no clock offset in milliseconds: "${text}"`);
    return Date.now() + Number(text);
  };
}
