import { describe, expect, it } from 'vitest';
import { healthClass, percent, releaseHealth } from './health.js';
import type { ReleaseHealth, ReleaseProject } from './types.js';

const project = (id: number, health?: Partial<ReleaseHealth>): ReleaseProject => ({
  id,
  slug: `p${id}`,
  name: `p${id}`,
  newGroups: 0,
  platform: null,
  hasHealthData: health !== undefined,
  ...(health
    ? {
        healthData: {
          crashFreeUsers: null,
          crashFreeSessions: null,
          sessionsCrashed: 0,
          sessionsErrored: 0,
          totalUsers: 0,
          totalUsers24h: 0,
          totalProjectUsers24h: 0,
          totalSessions: 0,
          totalSessions24h: 0,
          totalProjectSessions24h: 0,
          adoption: null,
          sessionsAdoption: null,
          hasHealthData: true,
          ...health,
        },
      }
    : {}),
});

describe('releaseHealth', () => {
  it('is null without session data', () => {
    expect(releaseHealth([project(1)])).toBeNull();
  });

  it('adds up the sessions and users of every project', () => {
    const health = releaseHealth([
      project(1, {
        totalSessions: 6,
        sessionsCrashed: 2,
        totalUsers: 4,
        crashFreeUsers: 75,
        totalUsers24h: 4,
        totalProjectUsers24h: 8,
      }),
      project(2, {
        totalSessions: 4,
        sessionsCrashed: 0,
        totalUsers: 1,
        crashFreeUsers: 100,
        totalUsers24h: 1,
        totalProjectUsers24h: 2,
      }),
      project(3),
    ]);
    expect(health).toEqual({
      crashFreeSessions: 80,
      crashFreeUsers: 80,
      adoption: 50,
      sessions: 10,
      users: 5,
    });
  });

  it('takes adoption from sessions where the sessions named no user', () => {
    const health = releaseHealth([
      project(1, { totalSessions: 3, totalSessions24h: 3, totalProjectSessions24h: 12 }),
    ]);
    expect(health).toMatchObject({ adoption: 25, crashFreeSessions: 100, crashFreeUsers: null, users: 0 });
  });
});

describe('percent and healthClass', () => {
  it('rounds to two decimals', () => {
    expect(percent(200 / 3)).toBe('66.67%');
    expect(percent(100)).toBe('100%');
    expect(percent(null)).toBe('—');
  });

  it('colours by threshold', () => {
    expect([99.5, 97, 94.99, null].map(healthClass)).toEqual([
      'health-good',
      'health-fair',
      'health-poor',
      'health-none',
    ]);
  });
});
