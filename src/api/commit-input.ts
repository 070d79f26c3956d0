import { AppError } from '../lib/app-error.js';
import { parseTimestamp } from '../protocol/timestamp.js';

// The `commits` and `refs` of a release's create or update body, read with the rules and the
// messages of Sentry's serializers (CommitSerializer, ReleaseHeadCommitSerializer): text fields are
// trimmed, numbers count as text, and a problem names its place, e.g. `commits[0].id`.

/** One commit as a client sends it (sentry-cli's `set-commits --local`). */
export interface CommitInput {
  readonly id: string;
  /** The repository's name; none means the organization's default repository. */
  readonly repository: string | null;
  /** Undefined when the body does not say (a stored commit then keeps its message). */
  readonly message?: string | null;
  readonly authorName: string | null;
  readonly authorEmail: string | null;
  readonly timestamp?: number;
  readonly patchSet: readonly { readonly path: string; readonly type: FileChangeType }[];
}

/** A repository's head commit in a release, and optionally the previous release's. */
export interface RefInput {
  readonly repository: string;
  readonly commit: string;
  readonly previousCommit: string | null;
}

export interface CommitChanges {
  readonly commits?: readonly CommitInput[];
  readonly refs?: readonly RefInput[];
}

/** Added, deleted, modified: the file change types Sentry takes. */
export const FILE_CHANGE_TYPES = ['A', 'D', 'M'] as const;
export type FileChangeType = (typeof FILE_CHANGE_TYPES)[number];

/** Sentry's longest commit id (MAX_COMMIT_LENGTH) and the separator of a `from..to` range. */
const MAX_COMMIT_LENGTH = 64;
export const COMMIT_RANGE = '..';

type Path = readonly (string | number)[];

class Problem extends Error {
  constructor(
    readonly path: Path,
    message: string,
  ) {
    super(message);
  }
}

/** Sentry's nested field errors (`{"commits": {"0": {"id": [...]}}}`) with a one-line `detail`. */
function toAppError(problem: Problem): AppError {
  let nested: unknown = [problem.message];
  for (const key of [...problem.path].reverse()) nested = { [String(key)]: nested };
  const where = problem.path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
  return new AppError('bad_request', {
    ...(nested as Record<string, unknown>),
    detail: `${where}: ${problem.message}`,
  });
}

/** Python's name of a JSON value's type, as DRF's messages give it. */
function typeName(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return { string: 'str', boolean: 'bool', object: 'dict' }[typeof value as string] ?? 'str';
}

interface TextRule {
  readonly maxLength?: number;
  readonly required?: boolean;
  readonly allowNull?: boolean;
  readonly allowBlank?: boolean;
}

/** A DRF CharField: undefined when absent and not required. */
function text(record: Record<string, unknown>, path: Path, rule: TextRule): string | null | undefined {
  const key = path.at(-1) as string;
  const value = record[key];
  if (value === undefined) {
    if (rule.required) throw new Problem(path, 'This field is required.');
    return undefined;
  }
  if (value === null) {
    if (rule.allowNull) return null;
    throw new Problem(path, 'This field may not be null.');
  }
  if (typeof value !== 'string' && (typeof value !== 'number' || !Number.isFinite(value)))
    throw new Problem(path, 'Not a valid string.');
  const trimmed = String(value).trim();
  if (trimmed.includes('\u0000')) throw new Problem(path, 'Null characters are not allowed.');
  if (trimmed === '' && !rule.allowBlank) throw new Problem(path, 'This field may not be blank.');
  if (rule.maxLength !== undefined && trimmed.length > rule.maxLength)
    throw new Problem(path, `Ensure this field has no more than ${rule.maxLength} characters.`);
  return trimmed;
}

function list(value: unknown, path: Path, allowNull: boolean): unknown[] | null {
  if (value === null) {
    if (allowNull) return null;
    throw new Problem(path, 'This field may not be null.');
  }
  if (!Array.isArray(value))
    throw new Problem(path, `Expected a list of items but got type "${typeName(value)}".`);
  return value;
}

function record(value: unknown, path: Path): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Problem(path, `Invalid data. Expected a dictionary, but got ${typeName(value)}.`);
  return value as Record<string, unknown>;
}

function readPatchSet(value: unknown, path: Path): CommitInput['patchSet'] {
  if (value === undefined) return [];
  return (list(value, path, true) ?? []).map((item, i) => {
    const file = record(item, [...path, i]);
    const filePath = text(file, [...path, i, 'path'], { required: true, maxLength: 255 }) as string;
    const type = text(file, [...path, i, 'type'], { required: true, maxLength: 1 }) as string;
    if (!(FILE_CHANGE_TYPES as readonly string[]).includes(type))
      throw new Problem([...path, i, 'type'], `Commit patch_set type ${type} is not supported.`);
    return { path: filePath, type: type as FileChangeType };
  });
}

function readCommit(item: unknown, path: Path): CommitInput {
  const c = record(item, path);
  const at = (key: string) => [...path, key];
  const optional = { allowNull: true, allowBlank: true };
  const message = text(c, at('message'), optional);
  const timestamp = c.timestamp;
  let ms: number | undefined;
  if (timestamp !== undefined && timestamp !== null) {
    // ISO 8601 text only: DRF's DateTimeField takes no epoch numbers.
    ms =
      typeof timestamp === 'string' && !/^\s*[\d.]+\s*$/.test(timestamp)
        ? parseTimestamp(timestamp)
        : undefined;
    if (ms === undefined) throw new Problem(at('timestamp'), 'Datetime has wrong format.');
  }
  return {
    id: text(c, at('id'), { required: true, maxLength: MAX_COMMIT_LENGTH }) as string,
    repository: text(c, at('repository'), { ...optional, maxLength: 64 }) || null,
    ...(message === undefined ? {} : { message }),
    authorName: text(c, at('author_name'), { ...optional, maxLength: 128 }) ?? null,
    authorEmail: text(c, at('author_email'), { ...optional, maxLength: 75 }) ?? null,
    ...(ms === undefined ? {} : { timestamp: ms }),
    patchSet: readPatchSet(c.patch_set, at('patch_set')),
  };
}

function readRef(item: unknown, path: Path): RefInput {
  const r = record(item, path);
  const at = (key: string) => [...path, key];
  const repository = text(r, at('repository'), { required: true, maxLength: 200 }) as string;
  let commit = text(r, at('commit'), { required: true }) as string;
  let previousCommit =
    text(r, at('previousCommit'), { allowNull: true, allowBlank: true, maxLength: MAX_COMMIT_LENGTH }) ||
    null;
  // `from..to` in `commit` stands for both ends.
  if (commit.includes(COMMIT_RANGE)) {
    const [from = '', to = '', ...rest] = commit.split(COMMIT_RANGE);
    if (from === '' || to === '' || rest.length > 0)
      throw new Problem(at('commit'), `Commit cannot begin or end with ${COMMIT_RANGE}`);
    if (from.length > MAX_COMMIT_LENGTH || to.length > MAX_COMMIT_LENGTH)
      throw new Problem(
        at('commit'),
        `Start or end commit too long - max is ${MAX_COMMIT_LENGTH} chars each`,
      );
    [previousCommit, commit] = [from, to];
  } else if (commit.length > MAX_COMMIT_LENGTH) {
    throw new Problem(at('commit'), `Commit too long - max is ${MAX_COMMIT_LENGTH} chars`);
  }
  return { repository, commit, previousCommit };
}

/** The older spelling of a ref (`currentId`, `previousId`), which Sentry still takes. */
function readHeadCommit(item: unknown, path: Path): RefInput {
  const h = record(item, path);
  const at = (key: string) => [...path, key];
  return {
    repository: text(h, at('repository'), { required: true, maxLength: 64 }) as string,
    commit: text(h, at('currentId'), { required: true, maxLength: MAX_COMMIT_LENGTH }) as string,
    previousCommit: text(h, at('previousId'), { allowNull: true, maxLength: MAX_COMMIT_LENGTH }) ?? null,
  };
}

/**
 * Reads `commits` and `refs` of a release body; each is left out when the body has none
 * (`headCommits` stand for refs where refs are none or empty). Bad input is a 400 with Sentry's
 * field errors and a `detail`.
 */
export function readCommitChanges(body: Record<string, unknown>): CommitChanges {
  try {
    const commits = body.commits === undefined ? undefined : list(body.commits, ['commits'], false);
    const refs = body.refs === undefined ? undefined : list(body.refs, ['refs'], false);
    const heads =
      body.headCommits === undefined ? [] : (list(body.headCommits, ['headCommits'], false) ?? []);
    return {
      ...(commits ? { commits: commits.map((c, i) => readCommit(c, ['commits', i])) } : {}),
      ...(heads.length > 0 && !refs?.length
        ? { refs: heads.map((h, i) => readHeadCommit(h, ['headCommits', i])) }
        : refs
          ? { refs: refs.map((r, i) => readRef(r, ['refs', i])) }
          : {}),
    };
  } catch (error) {
    if (error instanceof Problem) throw toAppError(error);
    throw error;
  }
}
