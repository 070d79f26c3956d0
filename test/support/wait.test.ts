import { describe, expect, it } from 'vitest';
import { waitFor } from './wait.js';

describe('waitFor', () => {
  it('returns the first value that is neither undefined nor false', async () => {
    let calls = 0;
    const values = [undefined, false, 0] as const;
    expect(await waitFor(() => values[calls++], { intervalMs: 1 })).toBe(0);
    expect(calls).toBe(3);
  });

  it('gives up at the deadline, naming what it waited for', async () => {
    const started = performance.now();
    await expect(waitFor(async () => false, { timeoutMs: 50, intervalMs: 5, what: 'Godot' })).rejects.toThrow(
      'timed out after 50 ms waiting for Godot',
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
  });
});
