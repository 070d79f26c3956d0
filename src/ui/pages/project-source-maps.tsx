import { useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice, Loading, Notice } from '../components/notice.js';
import { api, useApi } from '../lib/api.js';
import { bytes, dateTime, plural, timeAgo } from '../lib/format.js';
import { qs } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { ArtifactBundle, Project } from '../lib/types.js';
import { ProjectSettingsFrame } from './project-settings.js';

function When({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {timeAgo(iso)}
    </time>
  );
}

/**
 * The artifact bundles (source maps) uploaded for a project, newest first: what symbolication
 * finds them by (debug ids, release and dist), their files and size, when they were uploaded and
 * last used; each may be deleted.
 */
export function ProjectSourceMapsPage({ projectSlug }: { projectSlug: string }) {
  const { org } = useOrg();
  usePageTitle(`${projectSlug} source maps`);
  const base = `/projects/${encodeURIComponent(org.slug)}/${encodeURIComponent(projectSlug)}/`;
  const project = useApi<Project>(base);
  const [cursor, setCursor] = useState<string | null>(null);
  const path = `${base}files/artifact-bundles/${cursor ? qs({ cursor }) : ''}`;
  const bundles = useApi<ArtifactBundle[]>(path);
  const [deleted, setDeleted] = useState<string | null>(null);
  const access = project.data?.access ?? [];
  const mayDelete = access.includes('project:admin') || access.includes('project:releases');

  return (
    <ProjectSettingsFrame projectSlug={projectSlug} current="source-maps">
      <p>
        Source maps turn the minified frames of JavaScript events back into your code. Upload them from your
        build with <code>sentry-cli sourcemaps inject ./dist</code> then{' '}
        <code>sentry-cli sourcemaps upload ./dist</code>, or with a bundler plugin. Events that arrive
        afterwards are mapped.
      </p>
      {deleted && <Notice kind="success">Bundle {deleted} deleted.</Notice>}
      {bundles.error ? (
        <ErrorNotice error={bundles.error} />
      ) : !bundles.data ? (
        <Loading what="Loading source maps" />
      ) : bundles.data.length === 0 && !cursor ? (
        <EmptyState title="No source maps uploaded">
          <p>
            Events of minified JavaScript are shown as they were sent until their source maps are uploaded.
          </p>
        </EmptyState>
      ) : (
        <table className="bundle-list">
          <caption className="visually-hidden">Artifact bundles</caption>
          <thead>
            <tr>
              <th scope="col">Bundle</th>
              <th scope="col">Release</th>
              <th scope="col">Files</th>
              <th scope="col">Uploaded</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {bundles.data.map((bundle) => (
              <tr key={bundle.bundleId}>
                <td>
                  <code>{bundle.bundleId}</code>
                  {bundle.debugIds.length > 0 && (
                    <details>
                      <summary>{plural(bundle.debugIds.length, 'debug id')}</summary>
                      <ul>
                        {bundle.debugIds.map((id) => (
                          <li key={id}>
                            <code>{id}</code>
                          </li>
                        ))}
                      </ul>
                    </details>
                  )}
                </td>
                <td>
                  {bundle.associations.length === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    bundle.associations.map((a) => (
                      <div key={`${a.release} ${a.dist ?? ''}`}>
                        {a.release}
                        {a.dist ? <span className="muted"> (dist {a.dist})</span> : null}
                      </div>
                    ))
                  )}
                </td>
                <td>
                  {plural(bundle.fileCount, 'file')}, {bytes(bundle.size)}
                </td>
                <td>
                  <When iso={bundle.date} />
                </td>
                <td>
                  <When iso={bundle.dateLastUsed} />
                </td>
                <td>
                  <ConfirmButton
                    label="Delete"
                    title={`Delete bundle ${bundle.bundleId}?`}
                    className="button small danger"
                    danger
                    disabled={!mayDelete}
                    onConfirm={async () => {
                      await api.delete(
                        `${base}files/artifact-bundles/${encodeURIComponent(bundle.bundleId)}/`,
                      );
                      setDeleted(bundle.bundleId);
                      bundles.reload();
                    }}
                  >
                    <p>New events of this build will no longer be mapped through its source maps.</p>
                  </ConfirmButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(bundles.next || bundles.previous) && (
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            className="button small"
            disabled={!bundles.previous}
            onClick={() => setCursor(bundles.previous)}
          >
            Previous
          </button>
          <button
            type="button"
            className="button small"
            disabled={!bundles.next}
            onClick={() => setCursor(bundles.next)}
          >
            Next
          </button>
        </nav>
      )}
    </ProjectSettingsFrame>
  );
}
