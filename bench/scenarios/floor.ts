import type { Context } from '../lib/context.js';
import { ingestDriver } from '../lib/ingest.js';
import { startScript } from '../lib/processes.js';

/** The HTTP floor: bare node:http reading each body and answering `{"id"}`; nothing can be faster. */
export async function floor(ctx: Context): Promise<void> {
  const { child, url } = await startScript('floor.ts');
  const target = { publicKey: '0'.repeat(32), projectId: '1' };
  const driver = ingestDriver(ctx, { name: 'HTTP floor', urls: [url], pids: [child.pid], target });
  ctx.results.ingest.push(...(await driver.levels()));
}
