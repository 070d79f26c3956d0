/** Sentry's longest environment name. */
export const MAX_ENVIRONMENT_LENGTH = 64;

// Environment names travel in URL paths (`…/environments/{name}/`) and one-line lists, so Sentry
// refuses line breaks and slashes in them.
const BAD_CHARACTERS = /[\r\n\f\v\t/]/;

/**
 * Whether Sentry would keep this as an environment: non-blank, at most 64 characters, no line
 * breaks, tabs or slashes. An event may still carry another value; it just names no environment.
 */
export function isEnvironmentName(name: string): boolean {
  return name.trim() !== '' && name.length <= MAX_ENVIRONMENT_LENGTH && !BAD_CHARACTERS.test(name);
}
