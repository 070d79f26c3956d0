import { readFileSync } from 'node:fs';
import type { ProfileEntry, ProfileSummary } from './results.js';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
/** Errata compiled from a working tree newer than dist/ (see errata.ts): its folder after the prefix. */
const WORKING_TREE_BUILD = /\/node_modules\/\.cache\/errata-bench\/build\/([^/]+)\//;

/** Where a function lives: a package, a folder of Errata's code, a Node subsystem, or V8 itself. */
export function areaOf(name: string, url: string): string {
  if (name === '(garbage collector)') return 'V8 garbage collector';
  if (name === '(program)') return 'V8 and native code outside JS frames';
  if (url === '') return `native: ${name || '(anonymous)'}`;
  const built = WORKING_TREE_BUILD.exec(url)?.[1];
  if (built) return `errata ${built}/`;
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) return pkg;
  const own = /\/(?:src|dist)\/([^/]+)\//.exec(url)?.[1];
  if (own) return `errata ${own}/`;
  if (url.startsWith('node:internal/')) return `node:${url.slice('node:internal/'.length).split('/')[0]}`;
  if (url.startsWith('node:')) return url.split('/')[0] as string;
  return url.replace(/^file:\/\//, '');
}

/**
 * Which part of the server a sample belongs to, from the frames on its stack: the nearest frame of
 * Errata's digest or ingest code decides. Code resumed after an `await` has no caller on the stack,
 * so Kysely's query execution after its internal awaits is counted apart.
 */
function pathOf(stack: CpuProfileNode[]): string {
  const leaf = stack[0]?.callFrame.functionName;
  if (leaf === '(garbage collector)') return 'V8 garbage collector';
  if (leaf === '(program)') return 'V8 and native code outside JS frames';
  let fallback = 'other (timers, streams, start-up)';
  for (const node of stack) {
    const { url, functionName } = node.callFrame;
    if (/\/(digest|jobs)\//.test(url)) return 'digest (src/digest, src/jobs)';
    if (/\/ingest\/|\/lib\/group-commit/.test(url)) return 'ingest (src/ingest, group commit)';
    if (/\/api\//.test(url)) return 'REST API';
    if (fallback.startsWith('other') && url.includes('/node_modules/kysely/'))
      fallback = 'Kysely, resumed after an await (the caller is not on the stack)';
    if (
      fallback.startsWith('other') &&
      /\/node_modules\/(fastify|find-my-way|light-my-request)|node:_http|node:http/.test(url + functionName)
    )
      fallback = 'HTTP and Fastify';
    if (fallback.startsWith('other') && url === 'node:zlib') fallback = 'gunzip (node:zlib)';
  }
  return fallback;
}

function shortUrl(url: string, line: number): string {
  const path = url.replace(/^file:\/\//, '');
  const trimmed = WORKING_TREE_BUILD.test(path)
    ? path.replace(/^.*\/node_modules\/\.cache\/errata-bench\/build\//, 'build/')
    : path.includes('/node_modules/')
      ? path.replace(/^.*\/node_modules\//, '')
      : path.replace(/^.*\/(src|dist)\//, '$1/');
  return trimmed === '' ? 'native' : `${trimmed}:${line + 1}`;
}

/**
 * Self time per function of a V8 CPU profile (`node --cpu-prof`), as a share of the time the main
 * thread was busy (idle samples left out), and the same grouped by area.
 */
export function summarizeProfile(file: string, scenario: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stackOf = (id: number) => {
    const stack: CpuProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      stack.push(byId.get(at) as CpuProfileNode);
    return stack;
  };
  const paths = new Map<string, number>();
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + delta);
    total += delta;
    if ((byId.get(id) as CpuProfileNode).callFrame.functionName !== '(idle)') {
      const path = pathOf(stackOf(id));
      paths.set(path, (paths.get(path) ?? 0) + delta);
    }
  }
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = (byId.get(id) as CpuProfileNode).callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const name = functionName || '(anonymous)';
    const key = `${name} ${url}:${lineNumber}`;
    const entry = functions.get(key) ?? {
      name,
      where: SPECIAL.has(name) ? '' : shortUrl(url, lineNumber),
      us: 0,
    };
    entry.us += us;
    functions.set(key, entry);
    const area = areaOf(name, url);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busy = total - idle;
  const percent = (us: number) => (busy > 0 ? (100 * us) / busy : 0);
  const entries: ProfileEntry[] = [...functions.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((f) => ({ name: f.name, where: f.where, selfPercent: percent(f.us) }));
  return {
    scenario,
    file,
    totalMs: total / 1000,
    busyPercent: total > 0 ? (100 * busy) / total : 0,
    top: entries,
    byPath: [...paths.entries()]
      .map(([path, us]) => ({ path, selfPercent: percent(us) }))
      .sort((a, b) => b.selfPercent - a.selfPercent),
    byArea: [...areas.entries()]
      .map(([area, us]) => ({ area, selfPercent: percent(us) }))
      .sort((a, b) => b.selfPercent - a.selfPercent)
      .slice(0, top),
  };
}
