import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('upload settings', () => {
  it('default to what sentry-cli expects of Sentry', () => {
    const config = loadConfig({});
    expect(config.uploadChunkBytes).toBe(8 * 1024 * 1024);
    expect(config.uploadMaxRequestBytes).toBe(32 * 1024 * 1024);
    expect(config.artifactBundleRetentionDays).toBe(90);
  });

  it('refuses a chunk size that is not a power of two (sentry-cli 2.x needs one)', () => {
    expect(() => loadConfig({ ERRATA_UPLOAD_CHUNK_BYTES: '100000' })).toThrow(ConfigError);
    expect(() => loadConfig({ ERRATA_UPLOAD_CHUNK_BYTES: '100000' })).toThrow(
      'ERRATA_UPLOAD_CHUNK_BYTES must be a power of two, got 100000',
    );
    expect(loadConfig({ ERRATA_UPLOAD_CHUNK_BYTES: '131072' }).uploadChunkBytes).toBe(131072);
  });
});

describe('region settings', () => {
  const two = {
    ERRATA_REGIONS: 'us=https://us.errata.example,eu=https://eu.errata.example/',
    ERRATA_REGION: 'eu',
    DATABASE_URL: 'postgres://db/eu',
    ERRATA_CONTROL_DATABASE_URL: 'postgres://db/control',
  };

  it('leave a one-region install as it was: its region at ERRATA_URL, control data in its own database', () => {
    const config = loadConfig({ ERRATA_URL: 'https://errata.example' });
    expect(config.region).toBe('default');
    expect(config.regions).toEqual([{ name: 'default', url: 'https://errata.example' }]);
    expect(config.controlDatabase).toBeNull();
    expect(config.authCacheSeconds).toBe(5);
  });

  it('name every region and its URL; a node is public at its own region URL', () => {
    const config = loadConfig(two);
    expect(config.region).toBe('eu');
    expect(config.url).toBe('https://eu.errata.example');
    expect(config.regions).toEqual([
      { name: 'us', url: 'https://us.errata.example' },
      { name: 'eu', url: 'https://eu.errata.example' },
    ]);
    expect(config.controlDatabase).toEqual({ engine: 'postgres', url: 'postgres://db/control' });
  });

  it('take a SQLite control file that the nodes of one host share', () => {
    const config = loadConfig({
      ...two,
      DATABASE_URL: '',
      ERRATA_CONTROL_DATABASE_URL: 'sqlite:/srv/errata/control.sqlite',
    });
    expect(config.controlDatabase).toEqual({ engine: 'sqlite', file: '/srv/errata/control.sqlite' });
    expect(config.database.engine).toBe('sqlite');
  });

  it.each([
    [{ ERRATA_REGION: '' }, 'ERRATA_REGION must name the region this node serves, one of us, eu'],
    [{ ERRATA_REGION: 'ap' }, 'ERRATA_REGION is "ap", which ERRATA_REGIONS does not list (us, eu)'],
    [{ ERRATA_CONTROL_DATABASE_URL: '' }, 'ERRATA_CONTROL_DATABASE_URL must name the control database'],
    [
      { ERRATA_CONTROL_DATABASE_URL: 'mysql://db/x' },
      'ERRATA_CONTROL_DATABASE_URL must start with postgres://',
    ],
    [
      { ERRATA_CONTROL_DATABASE_URL: 'postgres://db/eu' },
      'ERRATA_CONTROL_DATABASE_URL names the region database itself',
    ],
    [
      { ERRATA_URL: 'https://other.example' },
      "ERRATA_URL (https://other.example) differs from region eu's URL",
    ],
    [
      { ERRATA_REGIONS: 'us=https://a.example,us=https://b.example' },
      'ERRATA_REGIONS names the region "us" twice',
    ],
    [
      { ERRATA_REGIONS: 'us=https://a.example,eu=https://a.example' },
      'ERRATA_REGIONS gives two regions the same URL',
    ],
    [{ ERRATA_REGIONS: 'us https://a.example' }, 'ERRATA_REGIONS must be name=url pairs'],
    [
      { ERRATA_REGIONS: 'us=ftp://a.example,eu=https://b.example' },
      'ERRATA_REGIONS must hold http or https URLs',
    ],
    [
      { ERRATA_REGIONS: 'US=https://a.example,eu=https://b.example' },
      'ERRATA_REGIONS must be name=url pairs',
    ],
  ])('stop the start on a combination that cannot work (%o)', (change, message) => {
    expect(() => loadConfig({ ...two, ...change })).toThrow(ConfigError);
    expect(() => loadConfig({ ...two, ...change })).toThrow(message);
  });

  it('let one listed region stand alone without a control database', () => {
    const config = loadConfig({ ERRATA_REGIONS: 'eu=https://eu.errata.example' });
    expect(config.region).toBe('eu');
    expect(config.url).toBe('https://eu.errata.example');
    expect(config.controlDatabase).toBeNull();
  });
});

describe('notification settings', () => {
  it('leave email off and webhooks unsigned by default, private addresses refused', () => {
    const config = loadConfig({});
    expect(config.smtpUrl).toBeNull();
    expect(config.emailFrom).toBeNull();
    expect(config.webhookSecret).toBeNull();
    expect(config.outboundAllowPrivate).toBe(false);
    expect(config.notifyMaxAttempts).toBe(8);
    expect(config.notifyPollMs).toBe(1000);
  });

  it('take an SMTP URL with its sender', () => {
    const config = loadConfig({
      ERRATA_SMTP_URL: 'smtps://errata:s3cret@mail.example.com:465',
      ERRATA_EMAIL_FROM: 'Errata <errata@example.com>',
      ERRATA_OUTBOUND_ALLOW_PRIVATE: '1',
    });
    expect(config.smtpUrl).toBe('smtps://errata:s3cret@mail.example.com:465');
    expect(config.emailFrom).toBe('Errata <errata@example.com>');
    expect(config.outboundAllowPrivate).toBe(true);
  });

  it.each([
    [{ ERRATA_SMTP_URL: 'smtp://mail.example.com' }, 'ERRATA_SMTP_URL is set but ERRATA_EMAIL_FROM is not'],
    [{ ERRATA_EMAIL_FROM: 'errata@example.com' }, 'ERRATA_EMAIL_FROM is set but ERRATA_SMTP_URL is not'],
    [
      { ERRATA_SMTP_URL: 'http://user:hunter2@mail.example.com', ERRATA_EMAIL_FROM: 'errata@example.com' },
      'ERRATA_SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…',
    ],
    [
      { ERRATA_SMTP_URL: 'smtp://mail.example.com', ERRATA_EMAIL_FROM: 'not an address' },
      'ERRATA_EMAIL_FROM must be an address or "Name <address>"',
    ],
    [{ ERRATA_WEBHOOK_SECRET: 'short' }, 'ERRATA_WEBHOOK_SECRET must be at least 32 characters long'],
    [{ ERRATA_OUTBOUND_ALLOW_PRIVATE: 'yes' }, 'ERRATA_OUTBOUND_ALLOW_PRIVATE must be 1 or 0'],
  ])('refuse %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never repeat the SMTP password in an error', () => {
    expect(() =>
      loadConfig({
        ERRATA_SMTP_URL: 'ftp://user:hunter2@mail.example.com',
        ERRATA_EMAIL_FROM: 'e@example.com',
      }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });
});

describe('the test clock', () => {
  it('is off by default and refused outside NODE_ENV=test, so that no deployment runs on a moved clock', () => {
    expect(loadConfig({}).testClockFile).toBeNull();
    for (const NODE_ENV of [undefined, 'production', 'development']) {
      expect(() => loadConfig({ ERRATA_TEST_CLOCK_FILE: '/tmp/clock', NODE_ENV })).toThrow(
        'ERRATA_TEST_CLOCK_FILE moves the clock for tests only; it needs NODE_ENV=test',
      );
    }
    expect(loadConfig({ ERRATA_TEST_CLOCK_FILE: '/tmp/clock', NODE_ENV: 'test' }).testClockFile).toBe(
      '/tmp/clock',
    );
  });
});

describe('retention settings', () => {
  it('keep 90 days and no per-project cap by default', () => {
    const config = loadConfig({});
    expect(config.retentionDays).toBe(90);
    expect(config.maxEventsPerProject).toBe(0);
    expect(config.retentionPollMs).toBe(3_600_000);
  });

  it('take other values and refuse a retention of no days', () => {
    const config = loadConfig({ ERRATA_RETENTION_DAYS: '30', ERRATA_MAX_EVENTS_PER_PROJECT: '10000' });
    expect(config.retentionDays).toBe(30);
    expect(config.maxEventsPerProject).toBe(10_000);
    expect(() => loadConfig({ ERRATA_RETENTION_DAYS: '0' })).toThrow(
      /ERRATA_RETENTION_DAYS must be between 1/,
    );
    expect(() => loadConfig({ ERRATA_MAX_EVENTS_PER_PROJECT: '-5' })).toThrow(/whole number/);
  });
});
