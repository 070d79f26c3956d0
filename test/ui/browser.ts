import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { ROOT, run } from '../support/server.js';

/** Debian's Chromium (`apt-get install chromium`); playwright-core never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

export const SCREENSHOTS = path.join(ROOT, 'test-results/screenshots');

/**
 * Builds the web app into dist/ui, where the server looks for it, exactly as `npm run build` does:
 * in a process of its own, since Vitest's NODE_ENV=test would give a development build of React.
 */
export async function buildUi(): Promise<void> {
  const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
  const result = await run(process.execPath, [vite, 'build', 'src/ui', '--logLevel', 'warn'], {
    env: { NODE_ENV: 'production' },
    timeoutMs: 120_000,
  });
  if (result.code !== 0) throw new Error(`vite build failed:\n${result.stdout}${result.stderr}`);
}

export interface Browser {
  /** A page in a context of its own: no cookies or storage shared with any other page. */
  newPage(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Headless Chromium, no network of its own; each test takes a fresh context from it. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    async newPage(viewport = { width: 1280, height: 900 }) {
      const context = await browser.newContext({ viewport });
      context.setDefaultTimeout(10_000);
      return { context, page: await context.newPage() };
    },
    close: () => browser.close(),
  };
}

/** Saves a full-page screenshot for reviewers: test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
