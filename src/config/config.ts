import path from 'node:path';

/** Where Errata keeps its data: the embedded SQLite file, or a PostgreSQL server. */
export type DatabaseConfig =
  | { readonly engine: 'sqlite'; readonly file: string }
  | { readonly engine: 'postgres'; readonly url: string };

/** One region of a deployment: its name and the public base URL its nodes answer at. */
export interface RegionConfig {
  readonly name: string;
  readonly url: string;
}

/**
 * Every setting Errata reads, built once at startup from environment variables and frozen.
 * `process.env` is read nowhere else. Each field documents its variable, default and reason.
 *
 * @example
 * const config = loadConfig(process.env);
 * config.port; // 9000 unless ERRATA_PORT says otherwise
 */
export interface Config {
  /** ERRATA_HOST, default 127.0.0.1: the address to listen on. */
  readonly host: string;
  /** ERRATA_PORT, default 9000. */
  readonly port: number;
  /** ERRATA_URL: the public base URL that DSNs and organization tokens carry; default http://HOST:PORT. */
  readonly url: string;
  /** ERRATA_DATA_DIR, default ./data: the SQLite file and anything else kept on disk. */
  readonly dataDir: string;
  /** DATABASE_URL (postgres://…) selects PostgreSQL; unset means SQLite under the data directory. */
  readonly database: DatabaseConfig;
  /** ERRATA_DB_POOL_MAX, default 10: PostgreSQL connections per process. */
  readonly dbPoolMax: number;
  /** ERRATA_DB_CONNECT_TIMEOUT_MS, default 5000: give up connecting to PostgreSQL after this long. */
  readonly dbConnectTimeoutMs: number;
  /** ERRATA_DB_QUERY_TIMEOUT_MS, default 15000: a PostgreSQL query that takes longer fails (503), never hangs. */
  readonly dbQueryTimeoutMs: number;
  /**
   * ERRATA_REGION: the region this node serves (its organizations' data is in DATABASE_URL). Default
   * "default" on a one-region install; required when ERRATA_REGIONS lists several.
   */
  readonly region: string;
  /**
   * ERRATA_REGIONS (`us=https://us.example,eu=https://eu.example`): every region of the deployment
   * and its public URL. Unset: one region, this node's, at ERRATA_URL.
   */
  readonly regions: readonly RegionConfig[];
  /**
   * ERRATA_CONTROL_DATABASE_URL: the control database (users, tokens, sessions, the
   * organization→region map) that every region shares; `postgres://…` or `sqlite:/path/file`.
   * Unset (null): control data lives in DATABASE_URL, as on a one-region install.
   */
  readonly controlDatabase: DatabaseConfig | null;
  /**
   * ERRATA_AUTH_CACHE_SECONDS, default 5: how long a node trusts a token or session it checked in
   * the control database; a revoked token stops working on every node within this.
   */
  readonly authCacheSeconds: number;
  /**
   * ERRATA_REGION_CONNECT_TIMEOUT_MS, default 3000: a request forwarded to another region's node
   * that cannot connect within this is answered 503.
   */
  readonly regionConnectTimeoutMs: number;
  /**
   * ERRATA_REGION_REQUEST_TIMEOUT_MS, default 120000: a forwarded request whose answer has not
   * started within this is answered 503 (uploads and large lists stay well inside it).
   */
  readonly regionRequestTimeoutMs: number;
  /** ERRATA_ADMIN_EMAIL, default admin@errata.local: the owner created on first start. */
  readonly adminEmail: string;
  /** ERRATA_ADMIN_PASSWORD: the owner's password on first start; a random one is printed if unset. */
  readonly adminPassword: string | undefined;
  /** ERRATA_ORG, default "errata": slug of the organization created on first start. */
  readonly initialOrg: string;
  /** ERRATA_PROJECT, default "default": slug of the project created on first start. */
  readonly initialProject: string;
  /** ERRATA_LOG_LEVEL, default info (fatal, error, warn, info, debug, trace, silent). */
  readonly logLevel: string;
  /** ERRATA_API_MAX_BODY_BYTES, default 1 MiB: REST request bodies are small JSON documents. */
  readonly apiMaxBodyBytes: number;
  /**
   * ERRATA_HTTP_IDLE_TIMEOUT_MS, default 30000: a connection with no traffic either way for this
   * long is closed, so stalled clients do not hold sockets (an answer must start within it too).
   */
  readonly httpIdleTimeoutMs: number;
  /**
   * ERRATA_HTTP_REQUEST_TIMEOUT_MS, default 120000: a request's headers and body must all arrive
   * within this, so a client trickling bytes cannot hold a connection for minutes (answered 408).
   */
  readonly httpRequestTimeoutMs: number;
  /**
   * ERRATA_INGEST_BODY_TIMEOUT_MS, default 60000: an ingest body must be read within this once its
   * headers are in (408 and the connection closed); 20 MiB at ~3 Mbit/s still fits.
   */
  readonly ingestBodyTimeoutMs: number;
  /** ERRATA_SESSION_TTL_HOURS, default 336 (14 days): how long a web sign-in lasts. */
  readonly sessionTtlHours: number;
  /**
   * ERRATA_PASSWORD_RESET_MINUTES, default 60: how long a password-reset link works; long enough to
   * reach one's mailbox, short enough that an old mail left lying around opens nothing.
   */
  readonly passwordResetMinutes: number;
  /** ERRATA_TOKEN_TOUCH_SECONDS, default 60: last-used times of tokens are written at most this often. */
  readonly tokenTouchSeconds: number;
  /** ERRATA_INGEST_MAX_COMPRESSED_BYTES, default 20 MiB: largest ingest request body as sent (413 above). */
  readonly ingestMaxCompressedBytes: number;
  /** ERRATA_INGEST_MAX_ENVELOPE_BYTES, default 100 MiB: largest body after decompression (Relay's limit; stops bombs). */
  readonly ingestMaxEnvelopeBytes: number;
  /** ERRATA_INGEST_MAX_EVENT_BYTES, default 1 MiB: largest event, transaction or span item (Relay's limit). */
  readonly ingestMaxEventBytes: number;
  /** ERRATA_INGEST_MAX_ATTACHMENT_BYTES, default 20 MiB: largest attachment kept; attachments live in the database. */
  readonly ingestMaxAttachmentBytes: number;
  /** ERRATA_KEY_CACHE_SECONDS, default 5: how long ingest trusts a cached DSN key (a disabled key stops within this). */
  readonly keyCacheSeconds: number;
  /** ERRATA_PROJECT_QUOTA_PER_MINUTE, default 0 (none): events a project may send per minute before 429. */
  readonly projectQuotaPerMinute: number;
  /**
   * ERRATA_DIGEST_BATCH: raw envelopes digested per transaction; null for the engine's default (50
   * on SQLite, where a shorter transaction keeps ingest's commits waiting less; 500 on PostgreSQL,
   * where fewer, larger statements save round trips).
   */
  readonly digestBatchSize: number | null;
  /** ERRATA_DIGEST_CONCURRENCY, default 2: digest transactions at once per node on PostgreSQL (SQLite: one). */
  readonly digestConcurrency: number;
  /** ERRATA_DIGEST_POLL_MS, default 1000: how often digest looks for work it was not told about (other nodes, restarts). */
  readonly digestPollMs: number;
  /**
   * ERRATA_UPLOAD_CHUNK_BYTES, default 8 MiB: the chunk size sentry-cli cuts uploads into (Sentry's
   * size; a power of two, which sentry-cli 2.x requires).
   */
  readonly uploadChunkBytes: number;
  /** ERRATA_UPLOAD_CHUNKS_PER_REQUEST, default 64: chunks sentry-cli may send in one request. */
  readonly uploadChunksPerRequest: number;
  /** ERRATA_UPLOAD_MAX_REQUEST_BYTES, default 32 MiB: largest chunk-upload request, as sent (413 above). */
  readonly uploadMaxRequestBytes: number;
  /** ERRATA_UPLOAD_CONCURRENCY, default 4: chunk-upload requests sentry-cli sends at once. */
  readonly uploadConcurrency: number;
  /**
   * ERRATA_UPLOAD_MAX_BUNDLE_BYTES, default 100 MiB: largest artifact bundle (its chunks together);
   * assembly holds one bundle in memory.
   */
  readonly uploadMaxBundleBytes: number;
  /**
   * ERRATA_UPLOAD_MAX_UNPACKED_BYTES, default 512 MiB: the files of one bundle together, unpacked;
   * a zip that claims or inflates to more is refused as a bomb.
   */
  readonly uploadMaxUnpackedBytes: number;
  /** ERRATA_UPLOAD_MAX_BUNDLE_FILES, default 20000: files in one bundle (each is a row and a blob). */
  readonly uploadMaxBundleFiles: number;
  /**
   * ERRATA_UPLOAD_MAX_COMPRESSION_RATIO, default 200: a bundle file of more than 1 MiB that inflates
   * more than this many times is refused as a bomb (source text deflates 3 to 30 times; bombs ~1000).
   */
  readonly uploadMaxCompressionRatio: number;
  /** ERRATA_UPLOAD_CHUNK_RETENTION_HOURS, default 24: chunks no assembled bundle used are deleted after this. */
  readonly uploadChunkRetentionHours: number;
  /**
   * ERRATA_UPLOAD_FAILED_RETENTION_MINUTES, default 60: how long a refused bundle answers `error`
   * (to clients polling for it); after that the same bundle may be uploaded and tried again.
   */
  readonly uploadFailedRetentionMinutes: number;
  /** ERRATA_ARTIFACT_BUNDLE_RETENTION_DAYS, default 90 (Sentry's): bundles neither uploaded nor used for this long are deleted. */
  readonly artifactBundleRetentionDays: number;
  /** ERRATA_ASSEMBLE_POLL_MS, default 1000: how often the assembly worker looks for queued bundles. */
  readonly assemblePollMs: number;
  /** ERRATA_CRON_CLOCK_POLL_MS, default 10000: how often the cron clock looks for missed and timed-out runs. */
  readonly cronClockPollMs: number;
  /**
   * ERRATA_SOURCE_MAP_CACHE_BYTES, default 64 MiB: parsed source maps and minified files digest
   * keeps for symbolication (per digest thread), so that a hot map is parsed once, not per batch;
   * 0 keeps none.
   */
  readonly sourceMapCacheBytes: number;
  /**
   * ERRATA_SMTP_URL (`smtp://user:password@host:587`, or `smtps://…:465` for TLS from the start):
   * the mail server alert and account emails go through. Unset (null): email is off, and emails
   * are failed in the delivery history with that reason. Holds a password: never logged.
   */
  readonly smtpUrl: string | null;
  /** ERRATA_EMAIL_FROM (`Errata <errata@example.com>`): the sender of every email; required with ERRATA_SMTP_URL. */
  readonly emailFrom: string | null;
  /**
   * ERRATA_WEBHOOK_SECRET (at least 32 characters): the deployment secret each project's webhook
   * signing key is derived from (alerts/webhooks.ts); the same on every node. Unset (null):
   * webhooks go out unsigned.
   */
  readonly webhookSecret: string | null;
  /**
   * ERRATA_OUTBOUND_ALLOW_PRIVATE, default 0: 1 lets webhooks reach loopback, private and
   * link-local addresses; otherwise they are refused (a rule must not reach inside the network).
   */
  readonly outboundAllowPrivate: boolean;
  /**
   * ERRATA_NOTIFY_POLL_MS, default 1000: how often the delivery worker looks for due notifications
   * (retries, other nodes' digests); this node's digest wakes it at once.
   */
  readonly notifyPollMs: number;
  /**
   * ERRATA_NOTIFY_MAX_ATTEMPTS, default 8: tries before a notification is failed for good; between
   * tries 30 s, doubling up to an hour (8 tries span about an hour).
   */
  readonly notifyMaxAttempts: number;
  /** ERRATA_NOTIFY_CONCURRENCY, default 4: notifications one node sends at once; a slow receiver holds one. */
  readonly notifyConcurrency: number;
  /** ERRATA_NOTIFY_CONNECT_TIMEOUT_MS, default 5000: a mail server or webhook that does not accept the connection within this is a failed try. */
  readonly notifyConnectTimeoutMs: number;
  /** ERRATA_NOTIFY_TIMEOUT_MS, default 15000: one try, connection to answer, within this. */
  readonly notifyTimeoutMs: number;
  /** ERRATA_NOTIFY_RETENTION_DAYS, default 30: sent and failed notifications, with their tries, are kept this long. */
  readonly notifyRetentionDays: number;
  /** ERRATA_LOG_RETENTION_DAYS, default 30 (Sentry's): log records older than this are deleted. */
  readonly logRetentionDays: number;
  /**
   * ERRATA_TEST_CLOCK_FILE, for tests only: a file holding a number of milliseconds that the
   * process's clock runs ahead of real time, read at each reading of the clock, so that a test can
   * move the clocks of `errata serve` processes it started. Refused unless NODE_ENV is `test`.
   */
  readonly testClockFile: string | null;
  /**
   * ERRATA_RETENTION_DAYS, default 90 (Sentry's): events, transactions, spans, attachments,
   * sessions, check-ins, client outcomes and set-aside envelopes older than this are deleted, and
   * issues left without events with them; the disk then stops growing at a steady rate.
   */
  readonly retentionDays: number;
  /**
   * ERRATA_MAX_EVENTS_PER_PROJECT, default 0 (no cap): a project keeps at most this many stored
   * events (errors and transactions together); the oldest go first, so one noisy project cannot
   * fill the disk within the retention period.
   */
  readonly maxEventsPerProject: number;
  /** ERRATA_RETENTION_POLL_MS, default 3600000 (hourly): how often the retention pass runs; its first run is this long after start. */
  readonly retentionPollMs: number;
  /**
   * ERRATA_READY_TIMEOUT_MS, default 2000: `/_health/ready/` answers 503 when a database takes
   * longer than this to answer; short, so a load balancer's probe never waits on a hung database.
   */
  readonly readyTimeoutMs: number;
  /**
   * ERRATA_READY_DIGEST_STUCK_SECONDS, default 300: `/_health/ready/` answers 503 when the oldest
   * envelope waiting for digest has not moved for this long (a backlog that moves is not stuck).
   */
  readonly readyDigestStuckSeconds: number;
  /**
   * ERRATA_METRICS_LISTEN (`127.0.0.1:9464`): an address of its own where `GET /metrics` answers
   * Prometheus without credentials; keep it off the public network. Unset (null): no such listener.
   */
  readonly metricsListen: { readonly host: string; readonly port: number } | null;
  /**
   * ERRATA_METRICS_TOKEN (at least 32 characters): `GET /metrics` on the main port answers to
   * `Authorization: Bearer <token>`. Unset (null): the main port has no /metrics (404).
   */
  readonly metricsToken: string | null;
  /**
   * ERRATA_SHUTDOWN_DRAIN_MS, default 0: after SIGTERM, how long `/_health/ready/` answers 503
   * while everything else is still served, so that a load balancer stops sending before the port
   * closes (Kubernetes: a few readiness periods).
   */
  readonly shutdownDrainMs: number;
  /**
   * ERRATA_SHUTDOWN_TIMEOUT_MS, default 30000: after SIGTERM and the drain, requests in flight,
   * the raw commits and the digest batch must finish within this; past it the process exits 1.
   */
  readonly shutdownTimeoutMs: number;
}

export class ConfigError extends Error {}

const MiB = 1024 * 1024;

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A whole number that is also a power of two (sentry-cli 2.x splits files with a bit mask). */
function powerOfTwo(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = integer(env, name, fallback, min, max);
  if ((value & (value - 1)) !== 0) throw new ConfigError(`${name} must be a power of two, got ${value}`);
  return value;
}

function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${env[name]}"`);
}

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  return raw ? raw : fallback;
}

function slug(env: Env, name: string, fallback: string): string {
  const value = text(env, name, fallback);
  if (!/^[a-z0-9][a-z0-9_-]{0,49}$/.test(value)) {
    throw new ConfigError(`${name} must be a slug (lowercase letters, digits, - and _), got "${value}"`);
  }
  return value;
}

function baseUrl(env: Env, host: string, port: number): string {
  const raw = env.ERRATA_URL?.trim();
  if (!raw) {
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${port}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`ERRATA_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`ERRATA_URL must use http or https, got "${raw}"`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

function database(env: Env, dataDir: string): DatabaseConfig {
  const url = env.DATABASE_URL?.trim();
  if (!url) return { engine: 'sqlite', file: path.join(dataDir, 'errata.sqlite') };
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError(
      'DATABASE_URL must start with postgres:// or postgresql:// (unset it to use SQLite)',
    );
  }
  return { engine: 'postgres', url };
}

/** ERRATA_CONTROL_DATABASE_URL: PostgreSQL by URL, or a SQLite file that the nodes of one host share. */
function controlDatabase(env: Env, region: DatabaseConfig): DatabaseConfig | null {
  const raw = env.ERRATA_CONTROL_DATABASE_URL?.trim();
  if (!raw) return null;
  let control: DatabaseConfig;
  if (/^postgres(ql)?:\/\//.test(raw)) control = { engine: 'postgres', url: raw };
  else if (/^sqlite:./.test(raw))
    control = { engine: 'sqlite', file: path.resolve(raw.slice('sqlite:'.length).replace(/^\/\//, '')) };
  else
    throw new ConfigError(
      'ERRATA_CONTROL_DATABASE_URL must start with postgres://, postgresql:// or sqlite: (a file path)',
    );
  const same =
    control.engine === region.engine &&
    (control.engine === 'postgres'
      ? control.url === (region as { url: string }).url
      : control.file === (region as { file: string }).file);
  if (same)
    throw new ConfigError(
      'ERRATA_CONTROL_DATABASE_URL names the region database itself; unset it to keep control data there',
    );
  return control;
}

function absoluteUrl(name: string, raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must hold absolute http(s) URLs, got "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ConfigError(`${name} must hold http or https URLs, got "${raw}"`);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

/** ERRATA_REGIONS: `name=url` pairs, comma-separated; names are slugs and unique. */
function regionList(env: Env): RegionConfig[] | null {
  const raw = env.ERRATA_REGIONS?.trim();
  if (!raw) return null;
  const regions: RegionConfig[] = [];
  for (const pair of raw
    .split(',')
    .map((each) => each.trim())
    .filter(Boolean)) {
    const at = pair.indexOf('=');
    const name = at > 0 ? pair.slice(0, at).trim() : '';
    if (!/^[a-z0-9][a-z0-9_-]{0,49}$/.test(name))
      throw new ConfigError(
        `ERRATA_REGIONS must be name=url pairs separated by commas (names are slugs), got "${pair}"`,
      );
    if (regions.some((r) => r.name === name))
      throw new ConfigError(`ERRATA_REGIONS names the region "${name}" twice`);
    regions.push({ name, url: absoluteUrl('ERRATA_REGIONS', pair.slice(at + 1).trim()) });
  }
  if (regions.length === 0) throw new ConfigError('ERRATA_REGIONS is set but lists no region');
  return regions;
}

/**
 * The region settings together: which region this node serves, every region's URL, this node's
 * public URL and where control data lives. Combinations that cannot work stop the start.
 */
function regionSettings(
  env: Env,
  host: string,
  port: number,
  database: DatabaseConfig,
): Pick<Config, 'region' | 'regions' | 'url' | 'controlDatabase'> {
  const listed = regionList(env);
  const control = controlDatabase(env, database);
  if (!listed) {
    const url = baseUrl(env, host, port);
    const region = slug(env, 'ERRATA_REGION', 'default');
    return { region, regions: [{ name: region, url }], url, controlDatabase: control };
  }
  const named = env.ERRATA_REGION?.trim();
  if (!named && listed.length > 1)
    throw new ConfigError(
      `ERRATA_REGION must name the region this node serves, one of ${listed.map((r) => r.name).join(', ')}`,
    );
  const region = named ?? (listed[0] as RegionConfig).name;
  const own = listed.find((r) => r.name === region);
  if (!own)
    throw new ConfigError(
      `ERRATA_REGION is "${region}", which ERRATA_REGIONS does not list (${listed.map((r) => r.name).join(', ')})`,
    );
  if (env.ERRATA_URL?.trim() && baseUrl(env, host, port) !== own.url)
    throw new ConfigError(
      `ERRATA_URL (${baseUrl(env, host, port)}) differs from region ${region}'s URL in ERRATA_REGIONS (${own.url}); set one of them`,
    );
  if (listed.length > 1 && !control)
    throw new ConfigError(
      'ERRATA_CONTROL_DATABASE_URL must name the control database that all regions share when ERRATA_REGIONS lists several',
    );
  if (new Set(listed.map((r) => r.url)).size !== listed.length)
    throw new ConfigError('ERRATA_REGIONS gives two regions the same URL');
  return { region, regions: listed, url: own.url, controlDatabase: control };
}

/** ERRATA_SMTP_URL and ERRATA_EMAIL_FROM: both, or neither (email off). */
function emailSettings(env: Env): Pick<Config, 'smtpUrl' | 'emailFrom'> {
  const url = env.ERRATA_SMTP_URL?.trim() || null;
  const from = env.ERRATA_EMAIL_FROM?.trim() || null;
  if (url === null && from === null) return { smtpUrl: null, emailFrom: null };
  if (url === null)
    throw new ConfigError('ERRATA_EMAIL_FROM is set but ERRATA_SMTP_URL is not; set both to send email');
  if (from === null)
    throw new ConfigError('ERRATA_SMTP_URL is set but ERRATA_EMAIL_FROM is not; set both to send email');
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {}
  // The value holds a password: the messages never repeat it.
  if (!parsed || (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') || !parsed.hostname)
    throw new ConfigError('ERRATA_SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…');
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(from) && !/^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(from))
    throw new ConfigError(`ERRATA_EMAIL_FROM must be an address or "Name <address>", got "${from}"`);
  return { smtpUrl: url, emailFrom: from };
}

/** ERRATA_TEST_CLOCK_FILE, only beside NODE_ENV=test: a moved clock must never reach a deployment. */
function testClockFile(env: Env): string | null {
  const raw = env.ERRATA_TEST_CLOCK_FILE?.trim();
  if (!raw) return null;
  if (env.NODE_ENV !== 'test') {
    throw new ConfigError('ERRATA_TEST_CLOCK_FILE moves the clock for tests only; it needs NODE_ENV=test');
  }
  return raw;
}

/** ERRATA_METRICS_LISTEN: `host:port`, `[v6]:port` or a bare port (on 127.0.0.1). */
function metricsListen(env: Env): Config['metricsListen'] {
  const raw = env.ERRATA_METRICS_LISTEN?.trim();
  if (!raw) return null;
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(raw);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535)
    throw new ConfigError(`ERRATA_METRICS_LISTEN must be host:port (e.g. 127.0.0.1:9464), got "${raw}"`);
  const host = (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, '');
  return Object.freeze({ host, port });
}

function metricsToken(env: Env): string | null {
  const raw = env.ERRATA_METRICS_TOKEN?.trim();
  if (!raw) return null;
  if (raw.length < 32) throw new ConfigError('ERRATA_METRICS_TOKEN must be at least 32 characters long');
  return raw;
}

function webhookSecret(env: Env): string | null {
  const raw = env.ERRATA_WEBHOOK_SECRET?.trim();
  if (!raw) return null;
  if (raw.length < 32) throw new ConfigError('ERRATA_WEBHOOK_SECRET must be at least 32 characters long');
  return raw;
}

/** Builds the frozen Config from an environment; throws ConfigError with a clear message on bad values. */
export function loadConfig(env: Env): Config {
  const host = text(env, 'ERRATA_HOST', '127.0.0.1');
  const port = integer(env, 'ERRATA_PORT', 9000, 0, 65535);
  const dataDir = path.resolve(text(env, 'ERRATA_DATA_DIR', './data'));
  const adminEmail = text(env, 'ERRATA_ADMIN_EMAIL', 'admin@errata.local').toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError(`ERRATA_ADMIN_EMAIL must be an email address, got "${adminEmail}"`);
  }
  const adminPassword = env.ERRATA_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new ConfigError('ERRATA_ADMIN_PASSWORD must be at least 8 characters long');
  }
  const logLevel = text(env, 'ERRATA_LOG_LEVEL', 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`ERRATA_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`);
  }
  const db = database(env, dataDir);
  const regions = regionSettings(env, host, port, db);
  return Object.freeze({
    host,
    port,
    url: regions.url,
    dataDir,
    database: Object.freeze(db),
    dbPoolMax: integer(env, 'ERRATA_DB_POOL_MAX', 10, 1, 1000),
    dbConnectTimeoutMs: integer(env, 'ERRATA_DB_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
    dbQueryTimeoutMs: integer(env, 'ERRATA_DB_QUERY_TIMEOUT_MS', 15_000, 100, 3_600_000),
    region: regions.region,
    regions: Object.freeze(regions.regions.map((r) => Object.freeze(r))),
    controlDatabase: regions.controlDatabase ? Object.freeze(regions.controlDatabase) : null,
    authCacheSeconds: integer(env, 'ERRATA_AUTH_CACHE_SECONDS', 5, 0, 3600),
    regionConnectTimeoutMs: integer(env, 'ERRATA_REGION_CONNECT_TIMEOUT_MS', 3000, 100, 600_000),
    regionRequestTimeoutMs: integer(env, 'ERRATA_REGION_REQUEST_TIMEOUT_MS', 120_000, 100, 3_600_000),
    adminEmail,
    adminPassword,
    initialOrg: slug(env, 'ERRATA_ORG', 'errata'),
    initialProject: slug(env, 'ERRATA_PROJECT', 'default'),
    logLevel,
    apiMaxBodyBytes: integer(env, 'ERRATA_API_MAX_BODY_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    httpIdleTimeoutMs: integer(env, 'ERRATA_HTTP_IDLE_TIMEOUT_MS', 30_000, 100, 3_600_000),
    httpRequestTimeoutMs: integer(env, 'ERRATA_HTTP_REQUEST_TIMEOUT_MS', 120_000, 100, 3_600_000),
    ingestBodyTimeoutMs: integer(env, 'ERRATA_INGEST_BODY_TIMEOUT_MS', 60_000, 100, 3_600_000),
    sessionTtlHours: integer(env, 'ERRATA_SESSION_TTL_HOURS', 336, 1, 24 * 365),
    passwordResetMinutes: integer(env, 'ERRATA_PASSWORD_RESET_MINUTES', 60, 5, 7 * 24 * 60),
    tokenTouchSeconds: integer(env, 'ERRATA_TOKEN_TOUCH_SECONDS', 60, 0, 86_400),
    ingestMaxCompressedBytes: integer(env, 'ERRATA_INGEST_MAX_COMPRESSED_BYTES', 20 * MiB, 1024, 1024 * MiB),
    ingestMaxEnvelopeBytes: integer(env, 'ERRATA_INGEST_MAX_ENVELOPE_BYTES', 100 * MiB, 1024, 1024 * MiB),
    ingestMaxEventBytes: integer(env, 'ERRATA_INGEST_MAX_EVENT_BYTES', MiB, 1024, 100 * MiB),
    ingestMaxAttachmentBytes: integer(env, 'ERRATA_INGEST_MAX_ATTACHMENT_BYTES', 20 * MiB, 0, 1024 * MiB),
    keyCacheSeconds: integer(env, 'ERRATA_KEY_CACHE_SECONDS', 5, 0, 3600),
    projectQuotaPerMinute: integer(env, 'ERRATA_PROJECT_QUOTA_PER_MINUTE', 0, 0, 1_000_000_000),
    digestBatchSize: env.ERRATA_DIGEST_BATCH ? integer(env, 'ERRATA_DIGEST_BATCH', 50, 1, 10_000) : null,
    digestConcurrency: integer(env, 'ERRATA_DIGEST_CONCURRENCY', 2, 1, 32),
    digestPollMs: integer(env, 'ERRATA_DIGEST_POLL_MS', 1000, 10, 600_000),
    uploadChunkBytes: powerOfTwo(env, 'ERRATA_UPLOAD_CHUNK_BYTES', 8 * MiB, 64 * 1024, 64 * MiB),
    uploadChunksPerRequest: integer(env, 'ERRATA_UPLOAD_CHUNKS_PER_REQUEST', 64, 1, 1000),
    uploadMaxRequestBytes: integer(env, 'ERRATA_UPLOAD_MAX_REQUEST_BYTES', 32 * MiB, 64 * 1024, 1024 * MiB),
    uploadConcurrency: integer(env, 'ERRATA_UPLOAD_CONCURRENCY', 4, 1, 64),
    uploadMaxBundleBytes: integer(env, 'ERRATA_UPLOAD_MAX_BUNDLE_BYTES', 100 * MiB, 1024, 4096 * MiB),
    uploadMaxUnpackedBytes: integer(env, 'ERRATA_UPLOAD_MAX_UNPACKED_BYTES', 512 * MiB, 1024, 16_384 * MiB),
    uploadMaxBundleFiles: integer(env, 'ERRATA_UPLOAD_MAX_BUNDLE_FILES', 20_000, 1, 1_000_000),
    uploadMaxCompressionRatio: integer(env, 'ERRATA_UPLOAD_MAX_COMPRESSION_RATIO', 200, 2, 100_000),
    uploadChunkRetentionHours: integer(env, 'ERRATA_UPLOAD_CHUNK_RETENTION_HOURS', 24, 1, 24 * 365),
    uploadFailedRetentionMinutes: integer(env, 'ERRATA_UPLOAD_FAILED_RETENTION_MINUTES', 60, 1, 525_600),
    artifactBundleRetentionDays: integer(env, 'ERRATA_ARTIFACT_BUNDLE_RETENTION_DAYS', 90, 1, 36_500),
    assemblePollMs: integer(env, 'ERRATA_ASSEMBLE_POLL_MS', 1000, 10, 600_000),
    cronClockPollMs: integer(env, 'ERRATA_CRON_CLOCK_POLL_MS', 10_000, 10, 600_000),
    sourceMapCacheBytes: integer(env, 'ERRATA_SOURCE_MAP_CACHE_BYTES', 64 * MiB, 0, 16_384 * MiB),
    ...emailSettings(env),
    webhookSecret: webhookSecret(env),
    outboundAllowPrivate: flag(env, 'ERRATA_OUTBOUND_ALLOW_PRIVATE'),
    notifyPollMs: integer(env, 'ERRATA_NOTIFY_POLL_MS', 1000, 10, 600_000),
    notifyMaxAttempts: integer(env, 'ERRATA_NOTIFY_MAX_ATTEMPTS', 8, 1, 100),
    notifyConcurrency: integer(env, 'ERRATA_NOTIFY_CONCURRENCY', 4, 1, 64),
    notifyConnectTimeoutMs: integer(env, 'ERRATA_NOTIFY_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
    notifyTimeoutMs: integer(env, 'ERRATA_NOTIFY_TIMEOUT_MS', 15_000, 100, 600_000),
    notifyRetentionDays: integer(env, 'ERRATA_NOTIFY_RETENTION_DAYS', 30, 1, 36_500),
    logRetentionDays: integer(env, 'ERRATA_LOG_RETENTION_DAYS', 30, 1, 36_500),
    testClockFile: testClockFile(env),
    retentionDays: integer(env, 'ERRATA_RETENTION_DAYS', 90, 1, 36_500),
    maxEventsPerProject: integer(env, 'ERRATA_MAX_EVENTS_PER_PROJECT', 0, 0, 1_000_000_000),
    retentionPollMs: integer(env, 'ERRATA_RETENTION_POLL_MS', 3_600_000, 1000, 86_400_000),
    readyTimeoutMs: integer(env, 'ERRATA_READY_TIMEOUT_MS', 2000, 50, 600_000),
    readyDigestStuckSeconds: integer(env, 'ERRATA_READY_DIGEST_STUCK_SECONDS', 300, 1, 86_400),
    metricsListen: metricsListen(env),
    metricsToken: metricsToken(env),
    shutdownDrainMs: integer(env, 'ERRATA_SHUTDOWN_DRAIN_MS', 0, 0, 600_000),
    shutdownTimeoutMs: integer(env, 'ERRATA_SHUTDOWN_TIMEOUT_MS', 30_000, 1000, 3_600_000),
  });
}
