import type { NormalizedEvent } from '../protocol/normalized-event.js';

/** Tags Sentry derives from an event's fields, added after the SDK's own tags. */
export function eventTags(event: NormalizedEvent): [string, string][] {
  const out = new Map<string, string>();
  for (const [key, value] of event.tags) if (!out.has(key)) out.set(key, value);
  const derive = (key: string, value: unknown) => {
    if (typeof value === 'string' && value !== '' && !out.has(key)) out.set(key, value.slice(0, 200));
  };
  derive('level', event.level);
  derive('environment', event.environment);
  derive('release', event.release);
  derive('dist', event.dist);
  derive('transaction', event.transaction);
  derive('server_name', event.serverName);
  derive('logger', event.logger);
  const user = userKey(event);
  if (user) derive('user', user);
  derive('url', event.request?.url);
  const main = event.exceptions.at(-1);
  if (main?.mechanism) {
    derive('mechanism', main.mechanism.type);
    if (main.mechanism.handled !== undefined) derive('handled', main.mechanism.handled ? 'yes' : 'no');
  }
  for (const name of ['os', 'runtime', 'browser', 'device'] as const) {
    const context = event.contexts[name];
    const n = context?.name;
    if (typeof n === 'string') {
      derive(`${name}.name`, n);
      const version = context?.version;
      derive(name, typeof version === 'string' ? `${n} ${version}`.trim() : n);
    }
  }
  return [...out];
}

/** Who the event happened to, as one stable key (id, else email, else username, else IP), prefixed by kind. */
export function userKey(event: NormalizedEvent): string | null {
  const user = event.user;
  if (!user) return null;
  if (user.id) return `id:${user.id}`;
  if (user.email) return `email:${user.email}`;
  if (user.username) return `username:${user.username}`;
  if (user.ipAddress) return `ip:${user.ipAddress}`;
  return null;
}
