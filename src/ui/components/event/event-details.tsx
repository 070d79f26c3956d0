import type { ReactNode } from 'react';
import type { Entry, Event, IssueDetail } from '../../lib/types.js';
import { Attachments } from './attachments.js';
import { Breadcrumbs } from './breadcrumbs.js';
import { ExceptionChain } from './exception.js';
import { KeyValueTable } from './key-value.js';
import { ProcessingErrors } from './processing-errors.js';
import { StackTraceView } from './stack-trace.js';
import { EventTags } from './tags.js';

function Section({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section className="event-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** Links to the long sections, so that the one wanted is a click away on a long page. */
function JumpLinks({ to }: { to: ([string, string] | null)[] }) {
  return (
    <nav className="jump-links" aria-label="Jump to">
      {to.map(
        (link) =>
          link && (
            <a
              key={link[1]}
              href={`#${link[1]}`}
              onClick={(e) => {
                // The router owns the URL; a jump only scrolls.
                e.preventDefault();
                document.getElementById(link[1])?.scrollIntoView({ block: 'start' });
              }}
            >
              {link[0]}
            </a>
          ),
      )}
    </nav>
  );
}

function entry<T extends Entry['type']>(event: Event, type: T): Extract<Entry, { type: T }> | undefined {
  return event.entries.find((e): e is Extract<Entry, { type: T }> => e.type === type);
}

/** Everything Sentry shows about one event, section by section, in the order people read it. */
export function EventDetails({
  event,
  issue,
  orgSlug,
}: {
  event: Event;
  issue: IssueDetail;
  orgSlug: string;
}) {
  const exception = entry(event, 'exception');
  const message = entry(event, 'message');
  const threads = entry(event, 'threads');
  const breadcrumbs = entry(event, 'breadcrumbs');
  const request = entry(event, 'request');
  const user = event.user;
  const contexts = Object.entries(event.contexts ?? {});
  const extra = Object.entries(event.context ?? {});
  const crashed = threads?.data.values.find((t) => t.crashed && t.stacktrace) ?? threads?.data.values[0];

  return (
    <div className="event-details">
      <JumpLinks
        to={[
          exception || crashed?.stacktrace
            ? ['Stack trace', exception ? 'sec-exception' : 'sec-thread']
            : null,
          breadcrumbs ? ['Breadcrumbs', 'sec-breadcrumbs'] : null,
          contexts.length > 0 ? ['Contexts', 'sec-contexts'] : null,
          ['Tags', 'sec-tags'],
          ['Raw event', 'sec-raw'],
        ]}
      />
      {event.errors?.length > 0 && (
        <Section title="Processing errors" id="sec-errors">
          <ProcessingErrors errors={event.errors} />
        </Section>
      )}
      {message && (!exception || message.data.formatted !== exception.data.values.at(-1)?.value) && (
        <Section title="Message" id="sec-message">
          <pre className="message">{message.data.formatted}</pre>
        </Section>
      )}
      {exception && (
        <Section title="Exception" id="sec-exception">
          <ExceptionChain values={exception.data.values} platform={event.platform} />
        </Section>
      )}
      {!exception && crashed?.stacktrace && (
        <Section title={`Stack trace${crashed.name ? ` of thread ${crashed.name}` : ''}`} id="sec-thread">
          <StackTraceView stacktrace={crashed.stacktrace} platform={event.platform} />
        </Section>
      )}
      {breadcrumbs && (
        <Section title="Breadcrumbs" id="sec-breadcrumbs">
          <Breadcrumbs values={breadcrumbs.data.values} />
        </Section>
      )}
      <Section title="Tags" id="sec-tags">
        <EventTags tags={event.tags} orgSlug={orgSlug} />
      </Section>
      {user && (
        <Section title="User" id="sec-user">
          <KeyValueTable
            rows={[
              ['ID', user.id],
              ['Email', user.email],
              ['Username', user.username],
              ['Name', user.name],
              ['IP address', user.ip_address],
              ['Location', user.geo],
              ...Object.entries(user.data ?? {}),
            ]}
          />
        </Section>
      )}
      {request && (
        <Section title="Request" id="sec-request">
          <p className="request-line">
            <code>
              {request.data.method ?? 'GET'} {request.data.url ?? ''}
            </code>
          </p>
          <KeyValueTable
            rows={[
              [
                'Query',
                request.data.query &&
                  (Array.isArray(request.data.query) && request.data.query.length === 0
                    ? null
                    : request.data.query),
              ],
              ['Body', request.data.data],
            ]}
          />
          <KeyValueTable caption="Headers" rows={request.data.headers ?? []} />
          <KeyValueTable caption="Cookies" rows={request.data.cookies ?? []} />
          <KeyValueTable caption="Environment" rows={Object.entries(request.data.env ?? {})} />
        </Section>
      )}
      {contexts.length > 0 && (
        <Section title="Contexts" id="sec-contexts">
          <div className="contexts">
            {contexts.map(([name, ctx]) => (
              <KeyValueTable
                key={name}
                caption={name}
                readable
                rows={Object.entries(ctx ?? {}).filter(([key]) => key !== 'type')}
              />
            ))}
          </div>
        </Section>
      )}
      {extra.length > 0 && (
        <Section title="Additional data" id="sec-extra">
          <KeyValueTable rows={extra} />
        </Section>
      )}
      {event.sdk && (
        <Section title="SDK" id="sec-sdk">
          <KeyValueTable
            rows={[
              ['Name', event.sdk.name],
              ['Version', event.sdk.version],
              ['Integrations', event.sdk.integrations?.length ? event.sdk.integrations.join(', ') : null],
            ]}
          />
        </Section>
      )}
      <Section title="Attachments" id="sec-attachments">
        <Attachments orgSlug={orgSlug} projectSlug={issue.project.slug} eventId={event.eventID} />
      </Section>
      <Section title="Raw event" id="sec-raw">
        <details className="raw">
          <summary>Show the event's JSON ({Math.round(event.size / 102.4) / 10} KiB)</summary>
          <pre>{JSON.stringify(event, null, 2)}</pre>
        </details>
        <p>
          <a
            href={`/api/0/projects/${encodeURIComponent(orgSlug)}/${encodeURIComponent(issue.project.slug)}/events/${event.eventID}/`}
            target="_blank"
            rel="noreferrer"
          >
            Open the event in the API
          </a>
        </p>
      </Section>
    </div>
  );
}
