import { alertRuleRoutes } from './alert-rules.js';
import { apiTokenRoutes } from './api-tokens.js';
import { artifactBundleRoutes } from './artifact-bundles.js';
import { attachmentRoutes } from './attachments.js';
import { chunkUploadRoutes } from './chunk-upload.js';
import { environmentRoutes } from './environments.js';
import { eventRoutes } from './events.js';
import { eventsStatsRoutes } from './events-stats.js';
import { issueTagRoutes } from './issue-tags.js';
import { issueRoutes } from './issues.js';
import { memberRoutes } from './members.js';
import { monitorRoutes } from './monitors.js';
import { notificationSettingRoutes } from './notification-settings.js';
import { orgEventRoutes } from './org-events.js';
import { orgSessionRoutes } from './org-sessions.js';
import { orgStatsRoutes } from './org-stats.js';
import { orgTagRoutes } from './org-tags.js';
import { orgTokenRoutes } from './org-tokens.js';
import { organizationRoutes } from './organizations.js';
import { passwordResetRoutes } from './password-reset.js';
import { pluginRoutes } from './plugins.js';
import { projectKeyRoutes } from './project-keys.js';
import { projectRoutes } from './projects.js';
import { releaseCommitRoutes } from './release-commits.js';
import { releaseRoutes } from './releases.js';
import { repoRoutes } from './repos.js';
import { rootRoutes } from './root.js';
import type { ApiRoute } from './route.js';
import { sessionRoutes } from './sessions.js';
import { teamRoutes } from './teams.js';
import { traceItemRoutes } from './trace-items.js';
import { traceRoutes } from './traces.js';
import { userFeedbackRoutes } from './user-feedback.js';

/** Every REST endpoint with the scopes it allows per method: the one table the tests read. */
export const API_ROUTES: readonly ApiRoute[] = [
  ...rootRoutes,
  ...sessionRoutes,
  ...orgSessionRoutes,
  ...orgStatsRoutes,
  ...passwordResetRoutes,
  ...organizationRoutes,
  ...teamRoutes,
  ...projectRoutes,
  ...projectKeyRoutes,
  ...memberRoutes,
  ...apiTokenRoutes,
  ...notificationSettingRoutes,
  ...orgTokenRoutes,
  ...issueRoutes,
  ...issueTagRoutes,
  ...eventRoutes,
  ...eventsStatsRoutes,
  ...orgEventRoutes,
  ...traceItemRoutes,
  ...traceRoutes,
  ...orgTagRoutes,
  ...attachmentRoutes,
  ...releaseRoutes,
  ...environmentRoutes,
  ...chunkUploadRoutes,
  ...artifactBundleRoutes,
  ...releaseCommitRoutes,
  ...repoRoutes,
  ...alertRuleRoutes,
  ...pluginRoutes,
  ...monitorRoutes,
  ...userFeedbackRoutes,
];
