import { describe, expect, it } from 'vitest';
import { parseTestEngines } from './engines.js';

describe('ERRATA_TEST_ENGINES', () => {
  it.each([
    [undefined, ['sqlite']],
    ['sqlite', ['sqlite']],
    ['postgres', ['postgres']],
    [' sqlite , postgres ', ['sqlite', 'postgres']],
    ['postgres,sqlite,postgres', ['postgres', 'sqlite']],
  ])('%j runs on %j', (value, engines) => {
    expect(parseTestEngines(value)).toEqual(engines);
  });

  it.each([
    ['sqlite,postgresql', /unknown engine "postgresql"/],
    ['mysql', /unknown engine "mysql"/],
    ['SQLite', /unknown engine "SQLite"/],
    ['', /no engine named/],
    [',', /no engine named/],
  ])('refuses %j rather than running fewer engines than asked', (value, message) => {
    expect(() => parseTestEngines(value)).toThrow(message);
  });
});
