import { loadConfig } from '../config/config.js';
import { describeFirstStart, startServer } from '../main.js';
import { writeFirstStartNotice } from '../services/first-start-notice.js';

/** `errata serve`: runs the server until SIGINT or SIGTERM, then shuts down within ERRATA_SHUTDOWN_TIMEOUT_MS. */
export async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const server = await startServer(config);
  if (server.firstStart) {
    const notice = describeFirstStart(config, server.firstStart);
    // On a terminal the operator reads it once; anywhere else the output is a log, kept and shared.
    if (process.stdout.isTTY) process.stdout.write(`${notice}\n`);
    else {
      try {
        const file = writeFirstStartNotice(config.dataDir, notice);
        process.stdout.write(
          `First start: the owner's sign-in, a token and the DSN were written, readable only by this user, to: ${file}\n`,
        );
      } catch (error) {
        // Still not in the log: the operator makes a user and a token with the commands instead.
        process.stderr.write(
          `First start: could not write the owner's sign-in, token and DSN under ${config.dataDir} (${(error as Error).message}); ` +
            'they are not shown. Use `errata user create` and `errata token create` (the DSN is in the UI and the API).\n',
        );
      }
    }
  }
  process.stdout.write(`Errata is listening on ${server.url} (public URL ${config.url})\n`);
  const stop = async (signal: NodeJS.Signals) => {
    const limit = config.shutdownDrainMs + config.shutdownTimeoutMs;
    // A request or a commit that never ends must not keep a stopping node forever.
    setTimeout(() => {
      process.stderr.write(
        `errata: shutdown did not finish within ${limit} ms; exiting with work unfinished\n`,
      );
      process.exit(1);
    }, limit).unref();
    process.stdout.write(`${signal}: Errata is shutting down (it finishes what is in flight)\n`);
    try {
      await server.shutdown();
    } catch (error) {
      process.stderr.write(`errata: shutdown failed: ${(error as Error).message}\n`);
      process.exit(1);
    }
    process.stdout.write('Errata stopped\n');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
