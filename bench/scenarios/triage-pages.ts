import type { Context } from '../lib/context.js';
import { startErrata } from '../lib/processes.js';
import { int, ms, table } from '../lib/report.js';
import { seededStore } from '../lib/seed.js';

/** What a load of a page in a fresh tab sent: its duration, and each call's path. */
interface PageLoad {
  readonly totalMs: number;
  readonly paths: Map<string, string>;
}

type Get = (name: string, path: string) => Promise<unknown>;

/** Loads of each page, in turn: enough for a p99 on a full run, a look on a quick one. */
const LOADS = { full: 100, quick: 20 };
const WARM_UP_LOADS = 3;
/** Times each call of a page is made alone, one after another, to tell which ones cost the time. */
const ALONE = { full: 20, quick: 5 };
/** Time to content the UI must keep to, per page. */
const TARGET_MS = 300;

/**
 * What the web app fetches before anything of the organization shows (app.tsx): who is signed
 * in, then their organizations and the regions together, then the page's organization.
 */
async function shell(get: Get, org: string): Promise<void> {
  await get('GET /', '/api/0/');
  await Promise.all([get('organizations', '/api/0/organizations/'), get('regions', '/api/0/regions/')]);
  await get('organization', `/api/0/organizations/${org}/`);
}

/** The issue stream as it opens (issue-stream.tsx): its default search and bars, and the environments. */
async function streamPage(get: Get, org: string): Promise<void> {
  await shell(get, org);
  const list = new URLSearchParams({
    query: 'is:unresolved',
    sort: 'date',
    statsPeriod: '14d',
    groupStatsPeriod: '14d',
    limit: '25',
    per_page: '25',
  });
  await Promise.all([
    get('issue list', `/api/0/organizations/${org}/issues/?${list}`),
    get('environments', `/api/0/organizations/${org}/environments/`),
  ]);
}

/**
 * An issue's page as it opens (issue-detail.tsx and what it renders): the issue and its latest
 * event together; once the issue is there, the chart, the grouping, the tag spread and the
 * assignee menu's members; once both are, "event N of M"; once the event is, its attachments.
 */
async function issuePage(get: Get, org: string, project: string, issueId: string): Promise<void> {
  await shell(get, org);
  const base = `/api/0/organizations/${org}/issues/${issueId}/`;
  const detail = get('issue detail', base) as Promise<{ firstSeen: string }>;
  const event = get('latest event', `${base}events/latest/`) as Promise<{
    eventID: string;
    dateCreated: string;
  }>;
  const chart = new URLSearchParams({
    query: `issue.id:${issueId}`,
    statsPeriod: '24h',
    interval: '1h',
    yAxis: 'count()',
  });
  await Promise.all([
    detail.then(() =>
      Promise.all([
        get('events-stats', `/api/0/organizations/${org}/events-stats/?${chart}`),
        get('hashes', `${base}hashes/`),
        get('tag spread', `${base}tags/`),
        get('members', `/api/0/organizations/${org}/members/`),
      ]),
    ),
    Promise.all([detail, event]).then(([d, e]) =>
      get(
        'event N of M',
        `${base}events/?${new URLSearchParams({ start: d.firstSeen, end: e.dateCreated, per_page: '1' })}`,
      ),
    ),
    event.then((e) =>
      get('attachments', `/api/0/projects/${org}/${project}/events/${e.eventID}/attachments/`),
    ),
  ]);
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

/**
 * Time to content of the stream and of an issue's page over the REST store (1,000,000 events;
 * 100,000 with --quick): every API call the web app makes on opening the page in a new tab, fired
 * as the app fires them (together where it does, one after another where one needs another's
 * answer), so that a page takes its slowest call of each step plus the steps before.
 */
export async function triagePages(ctx: Context): Promise<void> {
  const { restEvents, restIssues, quick } = ctx.options;
  ctx.log(`  store of ${restEvents} events in ${restIssues} issues`);
  const store = await seededStore(restEvents, restIssues, ctx.log);
  const node = await startErrata({ name: 'triage-pages', dataDir: store.dataDir });
  const headers = { authorization: `Bearer ${store.token}` };
  const load = async (page: (get: Get) => Promise<void>): Promise<PageLoad> => {
    const paths = new Map<string, string>();
    const get: Get = async (name, path) => {
      paths.set(name, path);
      const res = await fetch(`${node.url}${path}`, { headers });
      const body = await res.json();
      if (!res.ok) throw new Error(`${name}: ${res.status} from ${path}: ${JSON.stringify(body)}`);
      return body;
    };
    const started = performance.now();
    await page(get);
    return { totalMs: performance.now() - started, paths };
  };
  // Calls fired together wait for each other on the server, so a call's share shows only alone.
  const alone = async (path: string): Promise<number> => {
    const times: number[] = [];
    for (let n = 0; n < ALONE[quick ? 'quick' : 'full']; n++) {
      const started = performance.now();
      await (await fetch(`${node.url}${path}`, { headers })).arrayBuffer();
      times.push(performance.now() - started);
    }
    return percentile(
      times.sort((a, b) => a - b),
      50,
    );
  };

  const list = `/api/0/organizations/${store.org}/issues/?query=is%3Aunresolved&sort=date&limit=25`;
  const first = (await (await fetch(`${node.url}${list}`, { headers })).json()) as { id: string }[];
  const biggest = (await (
    await fetch(`${node.url}/api/0/organizations/${store.org}/issues/?query=&sort=freq&limit=1`, { headers })
  ).json()) as { id: string; count: string }[];
  if (first.length === 0 || !biggest[0]) throw new Error('the seeded store lists no issues');
  const pages: [string, (get: Get, n: number) => Promise<void>][] = [
    ['issue stream', (get) => streamPage(get, store.org)],
    [
      'issue page, issues of the stream’s first page',
      (get, n) => issuePage(get, store.org, store.project, (first[n % first.length] as { id: string }).id),
    ],
    [
      `issue page, the largest issue (${int(Number(biggest[0].count))} events)`,
      (get) => issuePage(get, store.org, store.project, (biggest[0] as { id: string }).id),
    ],
  ];

  const rows: string[][] = [];
  ctx.results.figures.pages = [];
  for (const [name, page] of pages) {
    for (let n = 0; n < WARM_UP_LOADS; n++) await load((get) => page(get, n));
    const loads: PageLoad[] = [];
    for (let n = 0; n < LOADS[quick ? 'quick' : 'full']; n++) loads.push(await load((get) => page(get, n)));
    const totals = loads.map((l) => l.totalMs).sort((a, b) => a - b);
    const costs: [string, number][] = [];
    for (const [call, path] of loads.at(-1)?.paths ?? []) costs.push([call, await alone(path)]);
    costs.sort((a, b) => b[1] - a[1]);
    const p50 = percentile(totals, 50);
    const p99 = percentile(totals, 99);
    rows.push([
      name,
      String(costs.length),
      ms(p50),
      ms(p99),
      costs
        .slice(0, 3)
        .map(([call, t]) => `${call} ${ms(t)}`)
        .join(', '),
      p99 < TARGET_MS ? 'met' : '**missed**',
    ]);
    ctx.results.figures.pages.push({ name, p50Ms: p50, p99Ms: p99, events: restEvents });
    ctx.log(`  ${name}: ${ms(p50)} ms median, ${ms(p99)} ms p99`);
  }
  const title = `## Triage pages, time to content over ${int(restEvents)} events in ${int(restIssues)} issues`;
  ctx.results.sections.push(
    title,
    `Every API call the web app makes when the page opens in a new tab, fired as the app fires them; ${LOADS[quick ? 'quick' : 'full']} loads per page, one at a time. The costliest calls are timed alone (for the stream's first-page issues, those of the last one loaded): fired together, calls wait for each other on the server.`,
    table(
      ['page', 'calls', 'median ms', 'p99 ms', 'costliest calls alone, median ms', `p99 < ${TARGET_MS} ms`],
      rows,
    ),
  );
}
