import { parseTestEngines } from './engines.js';

/**
 * Vitest global setup: a bad ERRATA_TEST_ENGINES fails the run once, before any file starts, with
 * the reason (each file importing engines.ts would throw it too, but among many failures).
 */
export default function checkEngines(): void {
  parseTestEngines(process.env.ERRATA_TEST_ENGINES);
}
