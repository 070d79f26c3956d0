import { describe, expect, it } from 'vitest';
import { LINEAR_GROWTH_BOUND, linearGrowth } from './growth.js';

// The measure the speed tests rely on must tell linear work from quadratic work.
describe('linearGrowth', () => {
  const linear = (s: string) => {
    let sum = 0;
    for (let i = 0; i < s.length; i++) sum += s.charCodeAt(i);
    return sum;
  };
  const quadratic = (s: string) => {
    let sum = 0;
    for (let i = 0; i < s.length; i++) for (let j = i; j < s.length; j++) sum += s.charCodeAt(j);
    return sum;
  };

  it('finds linear work within the bound', () => {
    const { ratio } = linearGrowth((n) => 'x'.repeat(n), linear, 200_000);
    expect(ratio).toBeLessThanOrEqual(LINEAR_GROWTH_BOUND);
  });

  it('finds quadratic work beyond it', () => {
    const { ratio } = linearGrowth((n) => 'x'.repeat(n), quadratic, 2000);
    expect(ratio).toBeGreaterThan(LINEAR_GROWTH_BOUND);
  });
});
