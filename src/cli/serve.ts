import { loadConfig } from '../config/config.js';
import { describeFirstStart, startServer } from '../main.js';

/** `errata serve`: runs the server until SIGINT or SIGTERM. */
export async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const server = await startServer(config);
  if (server.firstStart) process.stdout.write(`${describeFirstStart(config, server.firstStart)}\n`);
  process.stdout.write(`Errata is listening on ${server.url} (public URL ${config.url})\n`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
