import { randomUUID } from 'node:crypto';

/** An id a 500 answer carries and the log line repeats, so a report can be matched to its cause. */
export function newErrorId(): string {
  return randomUUID().replace(/-/g, '');
}
