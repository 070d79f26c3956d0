import { loadConfig } from '../config/config.js';
import type { ServiceContext } from '../services/context.js';
import { outboxMailer } from '../services/mailer.js';
import { migrateToLatest } from '../store/migrate.js';
import { openConfiguredDatabase } from '../store/open.js';

/** Opens the configured database (migrated) for one administrative command and closes it after. */
export async function withContext<T>(run: (ctx: ServiceContext) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const db = openConfiguredDatabase(config);
  try {
    await migrateToLatest(db);
    // No command sends email; were one to, it would say on stderr that it could not.
    const mailer = outboxMailer;
    return await run({ db, config, mailer, now: () => Date.now() });
  } finally {
    await db.destroy();
  }
}
