import type { Scope } from '../../auth/scopes.js';
import type { Project, Team } from '../../store/types.js';
import { isoDate, isoDateOrNull } from './dates.js';
import { teamRef } from './team.js';

/** Sentry's project summary (sentry-cli needs id, slug, name and an optional team). */
export function serializeProject(
  project: Project,
  teams: readonly Team[],
  caller: { isMember: boolean; scopes: ReadonlySet<Scope> },
) {
  const first = teams[0];
  return {
    id: String(project.id),
    slug: project.slug,
    name: project.name,
    platform: project.platform,
    dateCreated: isoDate(project.dateCreated),
    isBookmarked: false,
    isMember: caller.isMember,
    features: [] as string[],
    firstEvent: isoDateOrNull(project.firstEvent),
    firstTransactionEvent: false,
    access: [...caller.scopes]
      .filter((s) => s.startsWith('project:') || s.startsWith('event:') || s.startsWith('alerts:'))
      .sort(),
    hasAccess: true,
    hasMinifiedStackTrace: false,
    hasMonitors: false,
    hasProfiles: false,
    hasReplays: false,
    hasFeedbacks: false,
    hasNewFeedbacks: false,
    hasSessions: false,
    hasInsightsHttp: false,
    hasInsightsDb: false,
    hasLogs: false,
    isInternal: false,
    isPublic: false,
    avatar: { avatarType: 'letter_avatar', avatarUuid: null },
    color: '#3f70bf',
    status: 'active',
    ...(first ? { team: teamRef(first) } : {}),
    teams: teams.map(teamRef),
    platforms: project.platform ? [project.platform] : [],
    environments: [] as string[],
    latestRelease: null,
    latestDeploys: null,
    options: {},
  };
}

/** The detailed project: the summary plus the settings Sentry returns with it. */
export function serializeProjectDetail(
  project: Project,
  teams: readonly Team[],
  caller: { isMember: boolean; scopes: ReadonlySet<Scope> },
  organization: Record<string, unknown>,
) {
  return {
    ...serializeProject(project, teams, caller),
    organization,
    digestsMinDelay: 300,
    digestsMaxDelay: 1800,
    subjectPrefix: '',
    subjectTemplate: '$shortID - $title',
    allowedDomains: ['*'],
    resolveAge: 0,
    dataScrubber: false,
    dataScrubberDefaults: false,
    safeFields: [] as string[],
    sensitiveFields: [] as string[],
    scrubIPAddresses: false,
    scrapeJavaScript: true,
    securityToken: '',
    securityTokenHeader: null,
    verifySSL: false,
    groupingConfig: 'errata:2026-11',
    groupingEnhancements: '',
    fingerprintingRules: '',
    processingIssues: 0,
    plugins: [] as unknown[],
  };
}
