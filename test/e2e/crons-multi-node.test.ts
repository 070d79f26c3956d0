import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeEnvelope } from '../../src/protocol/envelope.js';
import { TEST_ENGINES } from '../support/engines.js';
import { api, type DsnParts, parseDsn, postEnvelope } from '../support/node-client.js';
import { createPgSchema, type PgSchema } from '../support/pg-schema.js';
import {
  firstStartNotice,
  SERVE_START_TIMEOUT_MS,
  type ServeProcess,
  startServe,
  stopServe,
} from '../support/serve-process.js';
import { freePort } from '../support/server.js';
import { waitFor } from '../support/wait.js';

// Two `errata serve` processes on one PostgreSQL schema, each with its own cron clock ticking
// every 50 ms, on one moved clock (ERRATA_TEST_CLOCK_FILE: the test writes how far ahead of real
// time both processes run). A monitor checks in once and then stops: each expected run that
// passes its margin is marked missed exactly once, whichever clock sees it first, and all the
// misses are events of one issue.

interface ApiCheckIn {
  status: string;
  expectedTime: string | null;
}
interface ApiMonitor {
  environments: {
    name: string;
    status: string;
    nextCheckIn: string | null;
    nextCheckInLatest: string | null;
  }[];
}
interface ApiIssue {
  title: string;
  count: string;
  status: string;
}

const SLUG = 'two-node-job';
const MISSED_RUNS = 3;

describe.skipIf(!TEST_ENGINES.includes('postgres'))(
  'the cron clocks of two errata serve processes on one PostgreSQL schema',
  () => {
    let schema: PgSchema;
    let clockDir: string;
    let clockFile: string;
    const nodes: { serve: ServeProcess; url: string }[] = [];
    let token: string;
    let org: string;
    let project: string;
    let dsn: DsnParts;

    /** Moves both processes' clocks to `offsetMs` ahead of real time (written whole, then renamed). */
    const moveClock = (offsetMs: number) => {
      const next = `${clockFile}.next`;
      writeFileSync(next, String(Math.round(offsetMs)));
      renameSync(next, clockFile);
    };

    beforeAll(async () => {
      clockDir = mkdtempSync(path.join(tmpdir(), 'errata-clock-'));
      clockFile = path.join(clockDir, 'offset');
      moveClock(0);
      schema = await createPgSchema('errata_crons');
      // One after the other: the first migrates and creates the owner, the second joins.
      for (const name of ['a', 'b']) {
        const port = await freePort();
        const serve = await startServe({
          DATABASE_URL: schema.url({ applicationName: `${schema.name}_${name}` }),
          ERRATA_PORT: String(port),
          ERRATA_LOG_LEVEL: 'warn',
          ERRATA_DIGEST_POLL_MS: '100',
          ERRATA_CRON_CLOCK_POLL_MS: '50',
          ERRATA_TEST_CLOCK_FILE: clockFile,
          NODE_ENV: 'test',
        });
        nodes.push({ serve, url: `http://127.0.0.1:${port}` });
      }
      const notice = firstStartNotice(nodes[0]?.serve.output() ?? '');
      const found = {
        token: /User token:\s+(\S+)/.exec(notice)?.[1],
        org: /Organization (\S+), project/.exec(notice)?.[1],
        project: /, project (\S+)/.exec(notice)?.[1],
        dsn: /DSN:\s+(\S+)/.exec(notice)?.[1],
      };
      if (!found.token || !found.org || !found.project || !found.dsn) {
        throw new Error(`no first start notice:\n${notice}`);
      }
      ({ token, org, project } = found as { token: string; org: string; project: string });
      dsn = parseDsn(found.dsn);
    }, 3 * SERVE_START_TIMEOUT_MS);

    afterAll(async () => {
      await Promise.all(nodes.map((n) => stopServe(n.serve)));
      await schema?.drop();
      if (clockDir) rmSync(clockDir, { recursive: true, force: true });
    });

    const node = (i: number) => nodes[i % 2]?.url as string;
    const get = async <T>(i: number, apiPath: string): Promise<T> => {
      const answer = await api<T>(node(i), token, 'GET', apiPath);
      if (answer.status !== 200)
        throw new Error(`${apiPath}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body;
    };
    const checkIns = async (i: number) =>
      [...(await get<ApiCheckIn[]>(i, `organizations/${org}/monitors/${SLUG}/checkins/`))].reverse();
    const environment = async (i: number) =>
      (await get<ApiMonitor>(i, `organizations/${org}/monitors/${SLUG}/`)).environments[0];

    it('marks each missed run once across both clocks and opens one issue', {
      timeout: 120_000,
    }, async () => {
      const body = serializeEnvelope({
        headers: {},
        items: [
          {
            headers: { type: 'check_in' },
            payload: {
              check_in_id: 'c'.repeat(32),
              monitor_slug: SLUG,
              status: 'ok',
              duration: 1.5,
              monitor_config: {
                schedule: { type: 'crontab', value: '*/10 * * * *' },
                checkin_margin: 2,
                failure_issue_threshold: 1,
              },
            },
          },
        ],
      });
      expect((await postEnvelope(node(0), dsn, body)).status).toBe(200);
      let expected = await waitFor(
        async () => {
          const env = await environment(1).catch(() => undefined);
          return env?.nextCheckIn ? env : undefined;
        },
        { what: 'the monitor and its next expected run', timeoutMs: 30_000 },
      );

      const marked: string[] = [];
      for (let run = 1; run <= MISSED_RUNS; run++) {
        const nextCheckIn = expected.nextCheckIn as string;
        // A second past the margin of the expected run, on both processes' clocks.
        moveClock(Date.parse(expected.nextCheckInLatest as string) + 1000 - Date.now());
        const list = await waitFor(
          async () => {
            const all = await checkIns(run);
            return all.filter((c) => c.status === 'missed').length >= run ? all : undefined;
          },
          { what: `missed run ${run}`, timeoutMs: 30_000 },
        );
        marked.push(nextCheckIn);
        expect(list.filter((c) => c.status === 'missed').map((c) => c.expectedTime)).toEqual(marked);
        expected = (await environment(run)) as typeof expected;
        // The next expected run is the one after the missed one: ten minutes later.
        expect(Date.parse(expected.nextCheckIn as string) - Date.parse(nextCheckIn)).toBe(600_000);
      }
      // Let both clocks tick many more times at this moment: nothing more is due, nothing more is marked.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      for (const i of [0, 1]) {
        const all = await checkIns(i);
        expect(all.map((c) => c.status)).toEqual(['ok', ...marked.map(() => 'missed')]);
      }

      const issues = await waitFor(
        async () => {
          const list = await get<ApiIssue[]>(0, `projects/${org}/${project}/issues/?query=`);
          return list.length === 1 && Number(list[0]?.count) === MISSED_RUNS ? list : undefined;
        },
        { what: 'one issue with one event per missed run', timeoutMs: 30_000 },
      );
      expect(issues.map((i) => [i.title, i.status])).toEqual([[`Cron failure: ${SLUG}`, 'unresolved']]);
      expect((await environment(0))?.status).toBe('error');
    });
  },
);
