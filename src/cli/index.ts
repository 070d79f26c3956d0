import { ConfigError } from '../config/config.js';
import { AppError } from '../lib/app-error.js';
import { UsageError } from './args.js';
import { backup } from './backup.js';
import { migrate } from './migrate.js';
import { orgTokenCreate } from './org-token-create.js';
import { restore } from './restore.js';
import { serve } from './serve.js';
import { tokenCreate } from './token-create.js';
import { userCreate } from './user-create.js';

const USAGE = `usage: errata <command>

  serve                                   run the server (ingest, REST API, web UI)
  migrate [--check]                       apply pending database migrations (--check: only say which are pending)
  backup FILE                             a consistent copy of the SQLite database, while the server runs
  restore FILE                            put a backup in place of the SQLite database of a stopped install
  user create --email E --password P [--name N] [--superuser]
  token create --user E --scopes s1,s2 [--name N] [--expires-in-days N]
  org-token create --org SLUG [--name N] [--scopes s1,s2]

Settings come from environment variables; see the README.`;

async function run(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (command === 'backup') return backup(argv.slice(1));
  if (command === 'restore') return restore(argv.slice(1));
  switch (`${command ?? ''} ${sub ?? ''}`.trim()) {
    case 'serve':
      await serve();
      return -1;
    case 'migrate':
      return migrate([]);
    case 'migrate --check':
      return migrate([sub as string, ...rest]);
    case 'user create':
      return userCreate(rest);
    case 'token create':
      return tokenCreate(rest);
    case 'org-token create':
      return orgTokenCreate(rest);
    default:
      if (command === 'serve' || command === 'migrate') throw new UsageError(`unexpected argument: ${sub}`);
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

function describe(error: unknown): string {
  if (error instanceof AppError)
    return typeof error.detail === 'string' ? error.detail : JSON.stringify(error.detail);
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    if (
      code === 'ECONNREFUSED' ||
      code === 'ENOTFOUND' ||
      code === 'ETIMEDOUT' ||
      /connect/i.test(error.message)
    ) {
      return `cannot reach the database: ${error.message}`;
    }
    return error.message;
  }
  return String(error);
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`errata: ${describe(error)}\n`);
    if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    process.exitCode = error instanceof UsageError || error instanceof ConfigError ? 2 : 1;
  },
);
