import { badRequest } from '../lib/app-error.js';

// Sentry's slugs: lowercase letters, digits, '-' and '_', at most 50 characters, not all digits
// (an all-digit value in a URL is read as an id).
const SLUG = /^[a-z0-9_-]{1,50}$/;

export function isValidSlug(slug: string): boolean {
  return SLUG.test(slug) && !/^\d+$/.test(slug);
}

/** Turns a display name into a slug: "My Project!" → "my-project". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return slug && !/^\d+$/.test(slug) ? slug : `${slug || 'x'}-${Date.now().toString(36)}`;
}

/** Checks a slug from a request and says what is wrong in Sentry's words. */
export function requireSlug(slug: string, field = 'slug'): string {
  if (!isValidSlug(slug)) {
    throw badRequest({
      [field]: [
        'Enter a valid slug consisting of lowercase letters, numbers, underscores or hyphens. It cannot be entirely numeric.',
      ],
      detail: `Invalid ${field}: use lowercase letters, numbers, underscores or hyphens (at most 50), not only numbers.`,
    });
  }
  return slug;
}
