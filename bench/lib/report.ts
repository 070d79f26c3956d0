import path from 'node:path';
import { ROOT } from './errata.js';
import { type BenchResults, digestedRate, evaluateTargets, sameLevel, scenario } from './evaluate.js';
import { FINDINGS } from './findings.js';
import { int, mb, ms, percent, ratio, table } from './format.js';
import type { IngestRun, IngestScenario, LatencySummary, ProfileSummary } from './results.js';

function lag(run: IngestRun, capS: number): string {
  if (!run.digest) return '–';
  return run.digest.lagMs === null
    ? `> ${capS} s (${int(run.digest.counts.waiting)} waiting)`
    : `${ms(run.digest.lagMs)} ms`;
}

function failures(run: IngestRun): string {
  const entries = Object.entries(run.load.failures);
  return entries.length === 0 ? '' : ` (${entries.map(([code, n]) => `${code}: ${int(n)}`).join(', ')})`;
}

function machineSection(results: BenchResults): string {
  const m = results.machine;
  const o = results.options;
  const levels = o.levels.join(', ');
  return [
    '## Machine and command',
    '',
    table(
      ['', ''],
      [
        [
          'machine',
          `${m.cpu}, ${m.cores} cores, ${m.memoryGb.toFixed(1)} GiB; ${m.os}, Linux ${m.kernel}; a 4 KiB write + fdatasync takes ${ms(m.fsyncMs)} ms (median)`,
        ],
        [
          'software',
          `Node ${m.node}; SQLite ${m.sqlite}; PostgreSQL ${m.postgres ?? 'not reachable'}; autocannon ${m.autocannon}; Spotlight ${m.spotlight}`,
        ],
        [
          'Errata',
          `commit ${m.commit}; run from ${m.build.reason}, default settings, fresh data directory or schema per scenario`,
        ],
        [
          'command',
          `\`npm run bench${o.quick ? ' -- --quick' : ''}\`: ${levels} connections, ${o.durationS} s each after ${o.warmupS} s of warm-up per server; REST ${o.restDurationS} s per endpoint`,
        ],
        [
          'load',
          'autocannon in the bench process, on the same 2 cores as the servers (and PostgreSQL); loopback only',
        ],
        [
          'run',
          `${results.startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC, ${Math.round(results.durationS)} s in all`,
        ],
      ],
    ),
  ].join('\n');
}

function targetsSection(results: BenchResults): string {
  const rows = evaluateTargets(results).map((t) => [
    t.name,
    t.goal,
    t.measured,
    t.met === null ? 'not run' : t.met ? '**met**' : `**missed** (${t.shortBy})`,
  ]);
  return ['## Targets', '', table(['target', 'goal', 'measured', ''], rows)].join('\n');
}

function ingestRow(results: BenchResults, s: IngestScenario, run: IngestRun, label?: string): string[] {
  const floor = scenario(results, 'floor');
  const peer = scenario(results, 'spotlight');
  const isErrata = s.id !== 'floor' && s.id !== 'spotlight';
  const vsFloor = s.id === 'floor' ? null : sameLevel(run, floor);
  const vsPeer = isErrata ? sameLevel(run, peer) : undefined;
  const digested = run.digest ? digestedRate(run, results.options.digestWaitS) : null;
  return [
    label ?? s.title,
    run.load.overallRate
      ? `${run.load.connections} @ ${int(run.load.overallRate)}/s`
      : String(run.load.connections),
    int(run.load.rps),
    vsFloor && !run.load.overallRate ? ratio(run.load.rps / vsFloor.load.rps) : '–',
    vsPeer && !run.load.overallRate ? ratio(run.load.rps / vsPeer.load.rps) : '–',
    ms(run.load.p50Ms),
    ms(run.load.p99Ms),
    `${int(run.load.errors)}${failures(run)}`,
    run.load.peakRssMb.map(mb).join(' / '),
    lag(run, results.options.digestWaitS),
    digested ? `${digested.lowerBound ? '≥ ' : ''}${int(digested.rate)}` : '–',
    isErrata && run.load.ok > 0 ? int(run.load.diskWriteBytes / run.load.ok / 1024) : '–',
    run.cpuUsPerRequest === null ? '–' : int(run.cpuUsPerRequest),
    run.load.clientCpuUsPerRequest === null ? '–' : int(run.load.clientCpuUsPerRequest),
    percent(run.load.otherCpuPercent),
  ];
}

function ingestSection(results: BenchResults): string {
  const rows: string[][] = [];
  for (const s of results.ingest) {
    for (const run of s.runs) rows.push(ingestRow(results, s, run));
    if (s.fixedRate) rows.push(ingestRow(results, s, s.fixedRate, `${s.title}, fixed rate`));
    if (s.id === 'sqlite')
      for (const run of results.extraFixed) rows.push(ingestRow(results, s, run, `${s.title}, fixed rate`));
  }
  const notes = results.ingest.flatMap((s) => s.notes.map((n) => `- ${s.title}: ${n}`));
  const hwm = results.ingest.map((s) => `${s.title} ${s.peakRssMb.map(mb).join(' / ')} MiB`).join('; ');
  return [
    '## Ingest',
    '',
    'Every request is a real SDK error envelope with a new event id (see Payloads). `× floor` and `× peer` compare',
    'requests/s with the HTTP floor and with Spotlight at the same concurrency, measured in the same run. Latency',
    'is of 2xx answers. Peak RSS is the highest VmRSS sampled every 100 ms during the run (one figure per node).',
    'Digest lag is the time from the end of the load until every acknowledged event is a row of `events` (counted',
    'from outside the server, read-only); `digested/s` is acknowledged events over load time plus that lag.',
    '`disk KiB/event` is what the server (on PostgreSQL: PostgreSQL) wrote to the disk during the run per',
    'acknowledged event (/proc/<pid>/io), digest included as far as it ran during the load.',
    '`CPU µs/req` is the CPU time the server used per answered request, digest included (on PostgreSQL with',
    "PostgreSQL's own): unlike req/s, it does not depend on the share of the two cores the load generator took.",
    '`client µs/req` is the CPU the load generator (autocannon, in the bench process) used per answered request.',
    '`other CPU` is the share of both cores used by anything but the bench, its servers and PostgreSQL during the',
    'run (other sessions share this machine); a high figure means that run was slowed down by them.',
    '',
    table(
      [
        'server',
        'connections',
        'req/s',
        '× floor',
        '× peer',
        'p50 ms',
        'p99 ms',
        'errors',
        'peak RSS MiB',
        'digest lag',
        'digested/s',
        'disk KiB/event',
        'CPU µs/req',
        'client µs/req',
        'other CPU',
      ],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Peak RSS of each process over its whole scenario (VmHWM): ${hwm}.`,
    ...(results.leastWork
      ? [
          '',
          `The least work on a request beyond the floor's, timed alone in the bench process before any server started (${results.leastWork.requests} requests of the same mix, fastest of ${results.leastWork.passes} passes): decompressing the body ${results.leastWork.decodeUs.toFixed(1)} µs and parsing its JSON ${results.leastWork.parseUs.toFixed(1)} µs on average. Any server that parses each event before it answers (as it must, to answer a broken one with 400) spends at least this, plus the floor's own CPU; the findings below use it for the highest rate this machine allows.`,
        ]
      : []),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}

function restSection(results: BenchResults): string {
  const rest = results.rest;
  if (!rest) return '';
  const seeded =
    rest.seededInS === null
      ? 'reused from bench/.cache/'
      : `seeded in ${Math.round(rest.seededInS)} s into bench/.cache/ (reused by later runs)`;
  return [
    '## REST API',
    '',
    `A SQLite store of ${int(rest.events)} events in ${int(rest.issues)} issues (${(rest.fileBytes / 1024 ** 3).toFixed(1)} GiB; ${seeded}): issues`,
    'with Zipf-distributed event counts over two weeks, 70 % unresolved, 80 % level error; events with a 20-frame',
    `document of about 4 KB. Bearer token, one connection, after ${(results.options.restDurationS / 3).toFixed(1)} s of warm-up; event detail cycles through`,
    `${int(2000)} event ids spread over the store.`,
    '',
    table(
      ['endpoint', 'median ms', 'p99 ms', 'req/s', 'errors', 'other CPU'],
      rest.endpoints.map((e) => [
        `${e.name} (\`${e.path.replace(/events\/[0-9a-f]{32}\//, 'events/:id/')}\`)`,
        ms(e.load.p50Ms),
        ms(e.load.p99Ms),
        int(e.load.rps),
        `${int(e.load.errors)}${
          Object.keys(e.load.failures).length > 0
            ? ` (${Object.entries(e.load.failures)
                .map(([c, n]) => `${c}: ${int(n)}`)
                .join(', ')})`
            : ''
        }`,
        percent(e.load.otherCpuPercent),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Peak RSS of the server: ${mb(rest.peakRssMb)} MiB.`,
    ...rest.notes.map((n) => `- ${n}`),
  ].join('\n');
}

function probeSection(results: BenchResults): string {
  const probe = results.probe;
  if (!probe) return '';
  const line = (name: string, l: LatencySummary) => [
    name,
    int(l.count),
    ms(l.p50Ms),
    ms(l.p99Ms),
    int(l.rps),
    int(l.errors),
  ];
  return [
    '## Under abuse',
    '',
    `A fresh SQLite store with one issue of ${int(probe.events)} events, each with ${probe.tagsPerEvent} tags of its own values`,
    `(${int(probe.events * probe.tagsPerEvent)} tag values). The probe, \`GET /api/0/\` with a bearer token, one request at a time,`,
    `is timed alone, then while ${int(probe.slowConnections)} clients (half ingest with a valid key, half the REST sign-in)`,
    `send a body two bytes a second, then while ${probe.tagLoops} loops also request the issue's \`tags/\` one after another.`,
    `The server closed ${int(probe.slowClosedByServer)} of those slow connections during the run (its timeouts are longer than the run).`,
    '',
    table(
      ['requests', 'answers', 'median ms', 'p99 ms', 'req/s', 'errors'],
      [
        line('probe alone', probe.alone),
        line('probe, slow bodies open', probe.slowBodiesOnly),
        line('probe, slow bodies and tags/ loops', probe.underAbuse),
        line('tags/ (the abuse)', probe.tags),
      ],
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Other work on the machine during the loaded part: ${percent(probe.otherCpuPercent)} of its CPU.`,
  ].join('\n');
}

function footprintSection(results: BenchResults): string {
  const f = results.footprint;
  if (!f) return '';
  return [
    '## Footprint',
    '',
    table(
      [
        'first start (empty data directory)',
        'restart (median)',
        'RSS 2 s after a restart',
        `RSS after ${f.idleAfterS} s idle`,
      ],
      [
        [
          `${int(f.firstStartMs)} ms`,
          `${int(f.restartMs)} ms`,
          `${mb(f.startRssMb)} MiB`,
          f.idleRssMb === null ? '–' : `${mb(f.idleRssMb)} MiB`,
        ],
      ],
      ['r', 'r', 'r', 'r'],
    ),
    '',
    'Start-up is from spawning the process to the first 200 on `GET /api/0/`. A first start migrates an empty',
    'database and creates the owner (scrypt), organization, project and token. V8 keeps start-up garbage',
    'until its idle-time collection runs, some 10-20 s into an idle process; the settled figure is the one',
    'checked against the target.',
  ].join('\n');
}

function profileSection(results: BenchResults): string {
  const profiles = results.profile;
  if (!profiles || profiles.length === 0) return '';
  return ['## Profile', '', ...profiles.map(threadProfile)].join('\n');
}

function threadProfile(p: ProfileSummary): string {
  return [
    `### ${p.scenario.split(', ').at(-1)}`,
    '',
    `\`node --cpu-prof\` on ${p.scenario}; ${(p.totalMs / 1000).toFixed(1)} s profiled, thread busy ${percent(p.busyPercent)}`,
    `of it. Shares are of busy time. The profile is kept in \`${path.relative(ROOT, p.file)}\` (open it in Chrome DevTools).`,
    '',
    table(
      ['busy time by part of the server (stack)', 'share'],
      p.byPath.map((a) => [a.path, percent(a.selfPercent)]),
      ['l', 'r'],
    ),
    '',
    table(
      ['self time by where the code lives', 'share'],
      p.byArea.map((a) => [a.area, percent(a.selfPercent)]),
      ['l', 'r'],
    ),
    '',
    table(
      ['top functions by self time', 'where', 'share'],
      p.top.map((t) => [`\`${t.name}\``, t.where === '' ? '' : `\`${t.where}\``, percent(t.selfPercent)]),
      ['l', 'l', 'r'],
    ),
    '',
  ].join('\n');
}

function findingsSection(results: BenchResults): string {
  const missed = evaluateTargets(results).filter((t) => t.met === false);
  const written = missed.filter((t) => FINDINGS[t.id]);
  if (missed.length === 0) return '';
  const text = (id: string) => {
    const finding = FINDINGS[id];
    return typeof finding === 'function' ? finding(results) : finding;
  };
  return [
    '## Missed targets: what limits them, and the next step',
    '',
    ...written.map((t) => `- **${t.name}** (${t.measured}; goal ${t.goal}). ${text(t.id)}`),
    ...missed
      .filter((t) => !FINDINGS[t.id])
      .map((t) => `- **${t.name}**: missed (${t.measured}); not analysed yet.`),
  ].join('\n');
}

/** BENCHMARKS.md: machine, command, targets, tables, profile and findings of one run. */
export function renderReport(results: BenchResults): string {
  const sections = [
    [
      '# Benchmarks',
      '',
      'Written by `npm run bench` (bench/run.ts); every figure below comes from the run described here. Run it',
      'again to refresh this file; edits by hand are lost (the analysis lives in bench/lib/findings.ts).',
    ].join('\n'),
    machineSection(results),
    ['## Payloads', '', ...results.payloads.map((p) => `- ${p}`)].join('\n'),
    targetsSection(results),
    ingestSection(results),
    restSection(results),
    probeSection(results),
    footprintSection(results),
    profileSection(results),
    findingsSection(results),
    results.failures.length > 0
      ? ['## Scenarios that failed', '', ...results.failures.map((f) => `- ${f.scenario}: ${f.error}`)].join(
          '\n',
        )
      : '',
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}
