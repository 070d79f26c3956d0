// The layering of src/ as CONTRIBUTING.md and STYLE.md state it, checked on the import statements
// themselves: a change that breaks it fails here rather than in review.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** Every source file (tests and the web UI aside) with the src/ files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== path.join(SRC, 'ui')) walk(full);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const text = readFileSync(full, 'utf8');
        const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) =>
          path.relative(SRC, path.resolve(path.dirname(full), (m[1] as string).replace(/\.js$/, '.ts'))),
        );
        graph.set(path.relative(SRC, full), targets);
      }
    }
  };
  walk(SRC);
  return graph;
}

const folder = (file: string) => (file.includes('/') ? (file.split('/')[0] as string) : file);

/** What each folder may import from src/ besides itself. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  protocol: [],
  grouping: [],
  lib: [],
  config: [],
  // Prometheus metrics: definitions only; main.ts gives them their sources.
  metrics: [],
  // Alert rules and notifications: shapes and rendering, pure like protocol/.
  alerts: ['lib', 'protocol'],
  auth: ['lib', 'protocol'],
  store: ['lib', 'protocol', 'grouping', 'config', 'alerts'],
  digest: ['store', 'grouping', 'protocol', 'lib', 'alerts'],
  services: ['store', 'auth', 'protocol', 'lib', 'config', 'alerts'],
  jobs: ['digest', 'store', 'grouping', 'protocol', 'lib', 'config', 'alerts'],
  ingest: ['store', 'services', 'protocol', 'lib', 'config', 'metrics'],
  api: ['store', 'services', 'auth', 'protocol', 'grouping', 'lib', 'config', 'alerts', 'metrics'],
};

describe('the layering of src/', () => {
  const graph = importGraph();

  it('has each folder import only what lies below it: no edge imports another', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const allowed = ALLOWED[folder(file)];
      if (allowed === undefined) continue;
      for (const target of targets) {
        const to = folder(target);
        if (to !== folder(file) && !allowed.includes(to)) wrong.push(`${file} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('sees the whole tree', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('ingest/ingest-routes.ts')).toContain('store/region/raw-queue.ts');
  });
});
