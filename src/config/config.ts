import path from 'node:path';

/** Where Errata keeps its data: the embedded SQLite file, or a PostgreSQL server. */
export type DatabaseConfig =
  | { readonly engine: 'sqlite'; readonly file: string }
  | { readonly engine: 'postgres'; readonly url: string };

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
  /** ERRATA_REGION, default "default": the name of the region this deployment's data lives in. */
  readonly region: string;
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
  return Object.freeze({
    host,
    port,
    url: baseUrl(env, host, port),
    dataDir,
    database: Object.freeze(database(env, dataDir)),
    dbPoolMax: integer(env, 'ERRATA_DB_POOL_MAX', 10, 1, 1000),
    dbConnectTimeoutMs: integer(env, 'ERRATA_DB_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
    dbQueryTimeoutMs: integer(env, 'ERRATA_DB_QUERY_TIMEOUT_MS', 15_000, 100, 3_600_000),
    region: slug(env, 'ERRATA_REGION', 'default'),
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
  });
}
