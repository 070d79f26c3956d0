import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../../test/support/engines.js';
import { insertOrgMapping } from '../store/control/org-mappings.js';
import { OrgRegionCache } from './org-region-cache.js';

describe.each(TEST_ENGINES)('the organization region cache on %s', (engine) => {
  let database: TestDatabase;
  let clock = 1_000_000;
  const now = () => clock;
  const moveTo = (slug: string, region: string) =>
    database.db.control.updateTable('org_mappings').set({ region }).where('slug', '=', slug).execute();

  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('remembers a found organization, by slug and by id, until the TTL has passed', async () => {
    const cache = new OrgRegionCache(database.db.control, 5000, now);
    const { id } = await insertOrgMapping(database.db.control, {
      slug: 'acme',
      region: 'eu',
      name: 'Acme',
      now: clock,
    });
    expect(await cache.regionOf('acme')).toBe('eu');
    expect(await cache.regionOf(String(id))).toBe('eu');
    await moveTo('acme', 'us');
    clock += 4999;
    expect(await cache.regionOf('acme')).toBe('eu');
    clock += 1;
    expect(await cache.regionOf('acme')).toBe('us');
  });

  it('does not remember an organization it did not find, nor anything with a TTL of 0', async () => {
    const cache = new OrgRegionCache(database.db.control, 5000, now);
    expect(await cache.regionOf('newcomer')).toBeUndefined();
    await insertOrgMapping(database.db.control, {
      slug: 'newcomer',
      region: 'eu',
      name: 'Newcomer',
      now: clock,
    });
    expect(await cache.regionOf('newcomer')).toBe('eu');

    const uncached = new OrgRegionCache(database.db.control, 0, now);
    expect(await uncached.regionOf('newcomer')).toBe('eu');
    await moveTo('newcomer', 'us');
    expect(await uncached.regionOf('newcomer')).toBe('us');
  });

  it('asks nothing for what cannot be a slug or an id (PostgreSQL would refuse a NUL)', async () => {
    const cache = new OrgRegionCache(database.db.control, 5000, now);
    for (const text of ['a\u0000b', '', 'UPPER', 'x'.repeat(51), '1'.repeat(16), '../acme']) {
      expect(await cache.regionOf(text)).toBeUndefined();
    }
  });
});
