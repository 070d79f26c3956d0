import type { ValuePattern } from '../protocol/issue-query.js';
import type { Project } from '../store/types.js';
import type { DatasetField } from './event-datasets.js';

// Fields several datasets of the events endpoint share, by kind.

/** A field shown and searched as the store holds it. */
export function textField<Ref>(ref: Ref): DatasetField<Ref> {
  return { type: 'string', ref };
}

/** The exact values of a term changed by `fix`; patterns as they are. */
export function exactValues(fix: (text: string) => string) {
  return (values: readonly ValuePattern[]) =>
    values.map((v): ValuePattern => (v.kind === 'exact' ? { kind: 'exact', value: fix(v.value) } : v));
}

/** Hex ids are stored in lowercase without dashes; searches may give them either way. */
export function idField<Ref>(ref: Ref): DatasetField<Ref> {
  return { type: 'string', ref, stored: exactValues((text) => text.toLowerCase().replaceAll('-', '')) };
}

/** Epoch ms in the store, ISO 8601 in a row. */
export function dateField<Ref>(ref: Ref): DatasetField<Ref> {
  return { type: 'date', ref };
}

/** Milliseconds. */
export function durationField<Ref>(ref: Ref): DatasetField<Ref> {
  return { type: 'duration', ref };
}

function matches(value: ValuePattern, text: string): boolean {
  if (value.kind === 'exact') return value.value === text;
  const escaped = value.parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 'is').test(text);
}

/**
 * A project searched by slug or id (a pattern matches slugs), as the ids of the projects it
 * names; one the caller does not reach matches nothing.
 */
function storedProjects(values: readonly ValuePattern[], projects: readonly Project[]): ValuePattern[] {
  const ids = projects
    .filter((p) => values.some((v) => matches(v, p.slug) || (v.kind === 'exact' && v.value === String(p.id))))
    .map((p): ValuePattern => ({ kind: 'exact', value: String(p.id) }));
  return ids.length > 0 ? ids : [{ kind: 'exact', value: '-1' }];
}

const slugOf = (raw: unknown, projects: ReadonlyMap<number, Project>) =>
  projects.get(Number(raw))?.slug ?? null;

/** `project` and `project.slug` (the slug), `project.id` (the id), over the project id column. */
export function projectFields<Ref>(ref: Ref): Record<string, DatasetField<Ref>> {
  const slug: DatasetField<Ref> = { type: 'string', ref, stored: storedProjects, show: slugOf };
  return {
    project: slug,
    'project.slug': slug,
    'project.id': { type: 'integer', ref, show: (raw) => (raw === null ? null : Number(raw)) },
  };
}

/** Booleans stored as 1 and 0. */
export function booleanField<Ref>(ref: Ref): DatasetField<Ref> {
  return { type: 'boolean', ref, show: (raw) => (raw === null ? null : Number(raw) === 1) };
}
