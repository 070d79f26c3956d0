import { type AppError, badRequest, notFound } from '../lib/app-error.js';
import { findWebhookPlugin, updateWebhookPlugin } from '../store/region/alert-rules.js';
import { projectEndpoint } from './access.js';
import { PERMISSIONS } from './permissions.js';
import { type ApiCall, type ApiRoute, noContent } from './route.js';
import { object } from './schema.js';
import { serializeWebhookPlugin } from './serializers/plugin.js';

// Sentry's legacy plugin endpoint (/projects/{org}/{project}/plugins/{plugin}/) for the one plugin
// Errata keeps, WebHooks, which alert rules name with NotifyEventServiceAction: GET its config,
// PUT `{"urls": "https://a\nhttps://b"}`, POST to enable (or `{"reset": true}` to clear its
// URLs), DELETE to disable. Any other plugin is not found.

/** URLs per project: each one is posted to for every notification of the project's rules. */
const MAX_URLS = 20;
const URL_MAX = 2048;

async function pluginTarget(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectPlugins);
  if (call.params.plugin !== 'webhooks') throw notFound();
  return access;
}

/** Sentry's plugin error shape, `{"errors": {"urls": "..."}}`, with a `detail`. */
function invalidUrls(message: string): AppError {
  return badRequest({ errors: { urls: message }, detail: `urls: ${message}` });
}

const isHttpUrl = (text: string) => {
  if (!/^https?:\/\//.test(text) || text.length > URL_MAX) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
};

/** Sentry's `validate_urls`: one URL a line, blank lines dropped, each http(s). */
function urlsOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'string') throw invalidUrls('Not a valid string.');
  const urls = value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (urls.some((url) => !isHttpUrl(url))) throw invalidUrls('Not a valid URL.');
  if (urls.length > MAX_URLS) throw invalidUrls(`Enter at most ${MAX_URLS} URLs.`);
  return urls;
}

async function getPlugin(call: ApiCall) {
  const access = await pluginTarget(call);
  return serializeWebhookPlugin(await findWebhookPlugin(call.ctx.db.region, access.project.id));
}

/** Sets the URLs; like Sentry's, saving a configuration leaves the plugin enabled or not as it was. */
async function putPlugin(call: ApiCall) {
  const access = await pluginTarget(call);
  const urls = urlsOf((call.body as { urls?: unknown }).urls);
  await updateWebhookPlugin(call.ctx.db.region, access.project.id, { urls }, call.ctx.now());
  return serializeWebhookPlugin(await findWebhookPlugin(call.ctx.db.region, access.project.id));
}

async function postPlugin(call: ApiCall) {
  const access = await pluginTarget(call);
  const body = (call.body ?? {}) as { test?: unknown; reset?: unknown };
  if (body.test) throw badRequest('Errata does not send test notifications from the WebHooks plugin.');
  const region = call.ctx.db.region;
  if (body.reset) {
    await updateWebhookPlugin(region, access.project.id, { urls: [] }, call.ctx.now());
    return serializeWebhookPlugin(await findWebhookPlugin(region, access.project.id));
  }
  await updateWebhookPlugin(region, access.project.id, { enabled: true }, call.ctx.now());
  return noContent(call, 201);
}

async function deletePlugin(call: ApiCall) {
  const access = await pluginTarget(call);
  await updateWebhookPlugin(call.ctx.db.region, access.project.id, { enabled: false }, call.ctx.now());
  return noContent(call);
}

const PLUGIN = '/projects/:org/:project/plugins/:plugin/';

export const pluginRoutes: ApiRoute[] = [
  { method: 'GET', url: PLUGIN, auth: PERMISSIONS.projectPlugins, handler: getPlugin },
  { method: 'PUT', url: PLUGIN, auth: PERMISSIONS.projectPlugins, body: object({}), handler: putPlugin },
  { method: 'POST', url: PLUGIN, auth: PERMISSIONS.projectPlugins, handler: postPlugin },
  { method: 'DELETE', url: PLUGIN, auth: PERMISSIONS.projectPlugins, handler: deletePlugin },
];
