#!/usr/bin/env node
// Entry point for the `errata` command: runs the compiled CLI from dist/ (built by `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli/index.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('errata: dist/ is missing; run `npm run build` (npm install does it for you)\n');
  process.exit(1);
}
await import(entry);
