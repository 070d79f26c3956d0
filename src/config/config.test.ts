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
