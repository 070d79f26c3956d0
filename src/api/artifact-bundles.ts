import { badRequest, notFound } from '../lib/app-error.js';
import { releaseVersionProblem } from '../protocol/release-version.js';
import { isUniqueViolation } from '../store/conflict.js';
import {
  addArtifactBundleAssociations,
  findArtifactBundleByChecksum,
  findArtifactBundlesOfProject,
  listArtifactBundles,
  type ReleaseAssociation,
  removeArtifactBundleFromProject,
} from '../store/region/artifact-bundles.js';
import {
  type BundleAssembly,
  findBundleAssembly,
  insertBundleAssembly,
} from '../store/region/bundle-assemblies.js';
import { touchArtifactBundles } from '../store/region/source-files.js';
import { findChunkSizes, touchChunks } from '../store/region/upload-chunks.js';
import type { Project } from '../store/types.js';
import { orgEndpoint, projectEndpoint, reachedProjects } from './access.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import { type ApiCall, type ApiRoute, noContent } from './route.js';
import { nullable, object, str } from './schema.js';
import { serializeArtifactBundle } from './serializers/artifact-bundle.js';

// Artifact bundles: sentry-cli's assemble call (after its chunks), the project's list of bundles
// and their deletion, and the native debug-file assemble call, which Errata answers with an error.

const sha1 = { type: 'string', pattern: '^[0-9a-fA-F]{40}$' } as const;

interface AssembleBody {
  checksum: string;
  chunks: string[];
  projects: (string | number)[];
  version?: string | null;
  dist?: string | null;
}

type AssembleAnswer = {
  state: 'ok' | 'created' | 'assembling' | 'not_found' | 'error';
  missingChunks: string[];
  detail: string | null;
};

const answer = (state: AssembleAnswer['state'], missingChunks: string[] = [], detail: string | null = null) =>
  ({ state, missingChunks, detail }) satisfies AssembleAnswer;

/** The body's projects (slugs, or ids as text or numbers), each one the caller may upload to. */
function namedProjects(reached: readonly Project[], names: readonly (string | number)[]): Project[] {
  const projects = names.map((name) =>
    reached.find((p) => p.slug === String(name) || String(p.id) === String(name)),
  );
  if (names.length === 0 || projects.some((p) => p === undefined)) {
    throw badRequest({
      projects: ['Invalid project ids or slugs'],
      detail: 'projects: Invalid project ids or slugs',
    });
  }
  return [...new Set(projects as Project[])];
}

function associationOf(body: AssembleBody): ReleaseAssociation | null {
  if (body.version === undefined || body.version === null || body.version === '') {
    if (body.dist)
      throw badRequest({ dist: ['A dist needs a version.'], detail: 'dist: A dist needs a version.' });
    return null;
  }
  const problem = releaseVersionProblem(body.version);
  if (problem) throw badRequest({ version: [problem], detail: `version: ${problem}` });
  return { release: body.version, dist: body.dist || null };
}

const stateOf = (assembly: BundleAssembly): AssembleAnswer =>
  assembly.state === 'error' ? answer('error', [], assembly.detail) : answer(assembly.state);

/**
 * sentry-cli calls this before uploading (to learn which chunks are missing: only those are sent,
 * none when the list is empty) and after (to start assembly, then to poll it). Assembly runs in the
 * background (jobs/bundle-assembler.ts); an assembled bundle answers `ok` at once.
 */
async function assemble(call: ApiCall): Promise<AssembleAnswer> {
  const access = await orgEndpoint(call, PERMISSIONS.releases);
  const body = call.body as AssembleBody;
  const projects = namedProjects(await reachedProjects(call, access, PERMISSIONS.releases), body.projects);
  const association = associationOf(body);
  const checksum = body.checksum.toLowerCase();
  const chunks = body.chunks.map((c) => c.toLowerCase());
  const region = call.ctx.db.region;
  const orgId = access.org.id;
  const now = call.ctx.now();

  const bundle = await findArtifactBundleByChecksum(region, orgId, checksum);
  if (bundle) {
    // Uploaded again, maybe for another project or release: it gains them, and counts as used.
    await region.transaction().execute(async (trx) => {
      await addArtifactBundleAssociations(
        trx,
        bundle.id,
        projects.map((p) => p.id),
        association,
        now,
      );
      await touchArtifactBundles(trx, [bundle.id], now);
    });
    return answer('ok');
  }
  const queued = await findBundleAssembly(region, orgId, checksum);
  if (queued) return stateOf(queued);
  if (chunks.length === 0) return answer('not_found');

  const sizes = await findChunkSizes(region, orgId, chunks);
  const missing = [...new Set(chunks.filter((c) => !sizes.has(c)))];
  if (missing.length > 0) return answer('not_found', missing);
  const size = chunks.reduce((sum, c) => sum + (sizes.get(c) as number), 0);
  const max = call.ctx.config.uploadMaxBundleBytes;
  if (size > max)
    return answer('error', [], `The bundle is ${size} bytes, more than the limit of ${max} bytes.`);

  try {
    await region.transaction().execute(async (trx) => {
      await touchChunks(trx, orgId, chunks, now);
      await insertBundleAssembly(
        trx,
        {
          organizationId: orgId,
          checksum,
          chunks,
          projectIds: projects.map((p) => p.id),
          release: association?.release ?? null,
          dist: association?.dist ?? null,
        },
        now,
      );
    });
  } catch (error) {
    // Another request queued the same bundle first.
    if (!isUniqueViolation(error)) throw error;
    const other = await findBundleAssembly(region, orgId, checksum);
    if (other) return stateOf(other);
    throw error;
  }
  return answer('created');
}

const NATIVE =
  'Errata does not symbolicate native code: debug information files (dSYM, ELF, PDB, Breakpad, …) are not stored. Source maps are (sentry-cli sourcemaps upload).';

/** `sentry-cli debug-files upload`: every file gets an error state, so the client says why and uploads nothing. */
async function assembleDebugFiles(call: ApiCall) {
  await projectEndpoint(call, PERMISSIONS.releases);
  const body = call.body as Record<string, unknown>;
  const checksums = Object.keys(body);
  const bad = checksums.find((c) => !/^[0-9a-fA-F]{40}$/.test(c));
  if (bad !== undefined) throw badRequest(`"${bad}" is not a SHA-1 checksum.`);
  return Object.fromEntries(
    checksums.map((c) => [c, { state: 'error', missingChunks: [], detail: NATIVE, dif: null }]),
  );
}

async function listBundles(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.releases);
  const bundles = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listArtifactBundles(call.ctx.db.region, access.project.id, page),
  );
  return bundles.map(serializeArtifactBundle);
}

/** Takes the bundle out of the project; a bundle left in no project is deleted with its files. */
async function deleteBundle(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.releases);
  const region = call.ctx.db.region;
  await region.transaction().execute(async (trx) => {
    const bundles = await findArtifactBundlesOfProject(trx, access.project.id, String(call.params.bundleId));
    if (bundles.length === 0) throw notFound();
    for (const bundle of bundles) await removeArtifactBundleFromProject(trx, bundle.id, access.project.id);
  });
  return noContent(call);
}

export const artifactBundleRoutes: ApiRoute[] = [
  {
    method: 'POST',
    url: '/organizations/:org/artifactbundle/assemble/',
    auth: PERMISSIONS.releases,
    body: object(
      {
        checksum: sha1,
        chunks: { type: 'array', items: sha1, maxItems: 10_000 },
        // sentry-cli sends all-digit project ids as numbers.
        projects: {
          type: 'array',
          items: { anyOf: [{ type: 'string', maxLength: 255 }, { type: 'integer' }] },
          maxItems: 1000,
        },
        version: nullable(str(250)),
        dist: nullable(str(64)),
      },
      ['checksum', 'chunks', 'projects'],
    ),
    handler: assemble,
  },
  {
    method: 'POST',
    url: '/projects/:org/:project/files/difs/assemble/',
    auth: PERMISSIONS.releases,
    body: { type: 'object', additionalProperties: { type: 'object' }, maxProperties: 10_000 },
    handler: assembleDebugFiles,
  },
  {
    method: 'GET',
    url: '/projects/:org/:project/files/artifact-bundles/',
    auth: PERMISSIONS.releases,
    handler: listBundles,
  },
  {
    method: 'DELETE',
    url: '/projects/:org/:project/files/artifact-bundles/:bundleId/',
    auth: PERMISSIONS.releases,
    handler: deleteBundle,
  },
];
