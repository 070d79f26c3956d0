import type { ReleaseProject } from './types.js';

// A release's health over all its projects, from the per-project `healthData` the releases API
// gives with `health=1`. Sessions add up exactly; users are counted per project, so a person
// seen in two projects of one release counts in each, as in Sentry's per-project rows.

export interface Health {
  /** Percent, or null when there were no sessions (or users). */
  readonly crashFreeSessions: number | null;
  readonly crashFreeUsers: number | null;
  /**
   * The release's share of its projects' users in the last 24 hours, in percent; of their
   * sessions where the sessions named no user.
   */
  readonly adoption: number | null;
  readonly sessions: number;
  readonly users: number;
}

const share = (part: number, whole: number) => (whole === 0 ? null : (part / whole) * 100);

/** The health of a release's projects taken together, or null when none has session data. */
export function releaseHealth(projects: readonly ReleaseProject[]): Health | null {
  const withData = projects.flatMap((p) => (p.healthData && p.hasHealthData ? [p.healthData] : []));
  if (withData.length === 0) return null;
  let sessions = 0;
  let crashed = 0;
  let users = 0;
  let crashedUsers = 0;
  let users24h = 0;
  let projectUsers24h = 0;
  let sessions24h = 0;
  let projectSessions24h = 0;
  for (const h of withData) {
    sessions += h.totalSessions;
    crashed += h.sessionsCrashed;
    users += h.totalUsers;
    // The API gives users' crash-free rate, not the crashed count: the count is the rate undone.
    if (h.crashFreeUsers !== null) crashedUsers += Math.round(h.totalUsers * (1 - h.crashFreeUsers / 100));
    users24h += h.totalUsers24h;
    projectUsers24h += h.totalProjectUsers24h;
    sessions24h += h.totalSessions24h;
    projectSessions24h += h.totalProjectSessions24h;
  }
  const crashFree = (bad: number, all: number) => {
    const rate = share(bad, all);
    return rate === null ? null : 100 - rate;
  };
  return {
    crashFreeSessions: crashFree(crashed, sessions),
    crashFreeUsers: crashFree(crashedUsers, users),
    adoption: projectUsers24h > 0 ? share(users24h, projectUsers24h) : share(sessions24h, projectSessions24h),
    sessions,
    users,
  };
}

/**
 * A percentage with at most two decimals, as release health is read ("99.95%"); "—" for none.
 *
 * @example percent(200 / 3) // '66.67%'
 */
export function percent(value: number | null): string {
  if (value === null) return '—';
  return `${Math.round(value * 100) / 100}%`;
}

/** The class that colours a crash-free rate: good from 99.5%, poor below 95%. */
export function healthClass(value: number | null): string {
  if (value === null) return 'health-none';
  return value >= 99.5 ? 'health-good' : value >= 95 ? 'health-fair' : 'health-poor';
}
