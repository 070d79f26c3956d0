import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Context } from '../lib/context.js';
import { ingestDriver } from '../lib/ingest.js';
import { type Child, firstStart, freePort, sleep, startErrata, startScript } from '../lib/processes.js';
import { int, ms, table } from '../lib/report.js';
import { sqliteCounter } from '../lib/store.js';

/**
 * The longest wait for the outbox to be sent once the mail server is back: a failed try is tried
 * again 30 s later, then after 60 s more.
 */
const RESEND_WAIT_MS = 180_000;
/** The longest wait for what the mail server took while up to be sent, before it goes down. */
const DRAIN_WAIT_MS = 120_000;

/** The delivery history as the bench reads it from the server's SQLite file. */
function outboxReader(file: string) {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  const count = (status: string) =>
    db.prepare('select count(*) from notification_outbox where status = ?').pluck().get(status) as number;
  const all = db.prepare('select count(*) from notification_outbox').pluck();
  const failedTries = db.prepare('select count(*) from notification_attempts where ok = 0').pluck();
  return {
    queued: () => all.get() as number,
    pending: () => count('pending'),
    sent: () => count('sent'),
    failedForGood: () => count('failed'),
    failedTries: () => failedTries.get() as number,
    close: async () => void db.close(),
  };
}

/** Ms until no notification is pending, or null when some still are after `timeoutMs`. */
async function drained(outbox: ReturnType<typeof outboxReader>, timeoutMs: number): Promise<number | null> {
  const started = performance.now();
  while (outbox.pending() > 0) {
    if (performance.now() - started > timeoutMs) return null;
    await sleep(100);
  }
  return performance.now() - started;
}

/**
 * Does a mail server that is down slow ingest? SQLite, every request a new issue, and the first
 * start's project's default rule mailing each new issue. As in the fixed-rate scenario, at half the
 * best rate (of this load, measured first with the mail server up: a new issue costs more than an
 * event of a known one), one run with the mail server up and one with its port closed, in one
 * server. Then the mail server comes back on the same port, and the scenario waits until every
 * queued email is sent, counting the tries that failed meanwhile in the delivery history.
 */
export async function smtpDown(ctx: Context): Promise<void> {
  const smtpPort = await freePort();
  let smtp: Child = (await startScript('smtp.ts', smtpPort)).child;
  const dataDir = path.join(ctx.tmpDir, 'smtp-down');
  const node = await startErrata({
    name: 'smtp-down',
    dataDir,
    settings: { ERRATA_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ERRATA_EMAIL_FROM: 'errata@bench.test' },
  });
  const target = firstStart(node);
  const rules = await fetch(`${node.url}/api/0/projects/${target.org}/${target.project}/rules/`, {
    headers: { authorization: `Bearer ${target.token}` },
  });
  const listed = (await rules.json()) as { conditions: { id: string }[]; actions: { id: string }[] }[];
  if (
    !listed.some(
      (r) =>
        r.conditions.some((c) => c.id.endsWith('FirstSeenEventCondition')) &&
        r.actions.some((a) => a.id.endsWith('NotifyEmailAction')),
    )
  )
    throw new Error(`the first project has no rule mailing new issues: ${JSON.stringify(listed)}`);

  const file = path.join(dataDir, 'errata.sqlite');
  const counter = sqliteCounter(file);
  const outbox = outboxReader(file);
  ctx.defer(() => counter.close());
  ctx.defer(() => outbox.close());
  const name = 'Errata, SQLite, a new issue each, mailed';
  const driver = ingestDriver(ctx, {
    name,
    urls: [node.url],
    pids: [node.child.pid],
    target,
    counter,
    uniqueIssues: true,
  });
  await driver.warmUp();
  const best = await driver.run(64);
  const rate = Math.max(20, Math.round(best.load.rps / 2 / 10) * 10);
  if ((await drained(outbox, DRAIN_WAIT_MS)) === null) throw new Error('the warm-up emails were not sent');
  const before = outbox.queued();
  const up = await driver.run(64, rate);
  const queuedUp = outbox.queued() - before;
  const upDrainMs = await drained(outbox, DRAIN_WAIT_MS);
  if (upDrainMs === null) throw new Error(`emails of the run with the mail server up were not sent`);

  await smtp.stop();
  const failedBefore = outbox.failedTries();
  const down = await driver.run(64, rate);
  const queuedDown = outbox.queued() - before - queuedUp;
  ctx.results.ingest.push({ ...up, server: `${name}, mail server up` });
  ctx.results.ingest.push({ ...down, server: `${name}, mail server down` });

  smtp = (await startScript('smtp.ts', smtpPort)).child;
  const resendMs = await drained(outbox, RESEND_WAIT_MS);
  const failedTries = outbox.failedTries() - failedBefore;
  const lost = outbox.failedForGood();
  ctx.log(
    `  mail server back: ${resendMs === null ? 'emails still pending' : `all sent ${ms(resendMs)} ms later`}, ${int(failedTries)} tries had failed`,
  );
  ctx.results.figures.smtpDown = {
    rate,
    upP99Ms: up.load.p99Ms,
    downP99Ms: down.load.p99Ms,
    queued: queuedDown,
    failedTries,
    resendMs,
    lost,
  };
  const row = (server: string, r: typeof up, queued: number, failed: number | string) => [
    server,
    int(r.load.rps),
    ms(r.load.p50Ms),
    ms(r.load.p99Ms),
    int(r.load.errors),
    int(queued),
    typeof failed === 'number' ? int(failed) : failed,
  ];
  ctx.results.sections.push(
    `## Mail server down (SQLite, c=64 at ${int(rate)}/s, a new issue each request, each mailed)`,
    table(
      ['mail server', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'emails queued', 'tries failed'],
      [row('up', up, queuedUp, 0), row('down (port closed)', down, queuedDown, failedTries)],
    ),
    `p99 down ÷ up: ${(down.load.p99Ms / up.load.p99Ms).toFixed(2)}×. With the mail server up, the ` +
      `run's emails were all sent ${ms(upDrainMs)} ms after digest caught up. Brought back after the ` +
      `run with it down: ${resendMs === null ? `emails still pending after ${RESEND_WAIT_MS / 1000} s` : `every email sent ${ms(resendMs)} ms later`}` +
      `, after ${int(failedTries)} failed tries (delivery history); ${int(outbox.sent())} sent in all, ${int(lost)} failed for good.`,
  );
}
