import { AppError } from '../lib/app-error.js';
import { parseId } from '../lib/ids.js';
import {
  findUserNotificationSettings,
  saveUserNotificationSettings,
} from '../store/control/notification-settings.js';
import { listAlertEmailOptOutsOfUser, setAlertEmail } from '../store/region/notification-settings.js';
import type { Project, User } from '../store/types.js';
import { forbidden, orgAccess, reachedProjects } from './access.js';
import { userOf } from './identity.js';
import type { ScopeMap } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { bool, object } from './schema.js';

// A person's own notification settings (Sentry's User Settings » Notifications), as a small Errata
// API rather than Sentry's notification-options, whose project-scoped rows would name projects of
// every region from one control endpoint:
//
// - `/users/me/notification-settings/`: what concerns no organization, kept in the control
//   database: `workflowEmail`, email when someone else assigns an issue to you.
// - `/users/me/notification-settings/:org/`: alert email per project of that organization, kept in
//   its region (where alert rules run), so the request is forwarded there like any other of it.
//
// Both are the signed-in person's own and for the web UI: session only, like personal tokens.

/** The caller, who must be the `:user` of the path (`me` or their own id). */
function me(call: ApiCall): User {
  const user = userOf(call.identity);
  const param = call.params.user;
  if (!user || (param !== 'me' && param !== String(user.id))) throw forbidden();
  return user;
}

async function getUserSettings(call: ApiCall) {
  return findUserNotificationSettings(call.ctx.db.control, me(call).id);
}

async function putUserSettings(call: ApiCall) {
  const user = me(call);
  const body = call.body as { workflowEmail?: boolean };
  const current = await findUserNotificationSettings(call.ctx.db.control, user.id);
  const next = { workflowEmail: body.workflowEmail ?? current.workflowEmail };
  await saveUserNotificationSettings(call.ctx.db.control, user.id, next, call.ctx.now());
  return next;
}

const PROJECT_READ = ['project:read', 'project:write', 'project:admin'] as const;
/** Settings are listed for, and taken for, the projects the caller may read. */
const REACH: ScopeMap = { GET: PROJECT_READ, PUT: PROJECT_READ };

async function projectSettings(call: ApiCall, user: User, projects: readonly Project[]) {
  const off = await listAlertEmailOptOutsOfUser(
    call.ctx.db.region,
    user.id,
    projects.map((p) => p.id),
  );
  return {
    projects: projects.map((p) => ({
      id: String(p.id),
      slug: p.slug,
      name: p.name,
      platform: p.platform,
      alertEmail: !off.has(p.id),
    })),
  };
}

/** The projects of the organization the caller reaches, each with whether alert email is on. */
async function getOrgSettings(call: ApiCall) {
  const user = me(call);
  const access = await orgAccess(call, call.params.org as string);
  return projectSettings(call, user, await reachedProjects(call, access, REACH));
}

interface ProjectSetting {
  id: string | number;
  alertEmail: boolean;
}

const INVALID_PROJECTS = 'Invalid project ids';

/**
 * `{"projects": [{"id": "12", "alertEmail": false}]}`: changes those projects and answers as GET
 * does. A project that does not exist or that the caller does not reach is a 400 that changes
 * nothing (without saying which, as ids of unreached projects reveal nothing).
 */
async function putOrgSettings(call: ApiCall) {
  const user = me(call);
  const access = await orgAccess(call, call.params.org as string);
  const projects = await reachedProjects(call, access, REACH);
  const byId = new Map(projects.map((p) => [p.id, p]));
  const changes = (call.body as { projects: ProjectSetting[] }).projects.map((s) => {
    const id = parseId(String(s.id));
    const project = id === null ? undefined : byId.get(id);
    if (!project)
      throw new AppError('bad_request', {
        projects: [INVALID_PROJECTS],
        detail: `projects: ${INVALID_PROJECTS}`,
      });
    return { project, enabled: s.alertEmail };
  });
  const now = call.ctx.now();
  await call.ctx.db.region.transaction().execute(async (trx) => {
    for (const c of changes) await setAlertEmail(trx, c.project.id, user.id, c.enabled, now);
  });
  return projectSettings(call, user, projects);
}

export const notificationSettingRoutes: ApiRoute[] = [
  { method: 'GET', url: '/users/:user/notification-settings/', auth: 'session', handler: getUserSettings },
  {
    method: 'PUT',
    url: '/users/:user/notification-settings/',
    auth: 'session',
    body: object({ workflowEmail: bool }),
    handler: putUserSettings,
  },
  {
    method: 'GET',
    url: '/users/:user/notification-settings/:org/',
    auth: 'session',
    handler: getOrgSettings,
  },
  {
    method: 'PUT',
    url: '/users/:user/notification-settings/:org/',
    auth: 'session',
    body: object(
      {
        projects: {
          type: 'array',
          maxItems: 1000,
          items: object(
            {
              id: {
                anyOf: [
                  { type: 'string', pattern: '^[0-9]{1,18}$' },
                  { type: 'integer', minimum: 1 },
                ],
              },
              alertEmail: bool,
            },
            ['id', 'alertEmail'],
          ),
        },
      },
      ['projects'],
    ),
    handler: putOrgSettings,
  },
];
