import { afterAll, beforeAll } from 'vitest';

/**
 * Opens `open()` before the tests of the enclosing describe block and closes it after them. The
 * result stands for the opened value (its properties are read from it once it is open), so a file
 * writes `const w = openedForTests(() => openX(engine))` instead of a variable and two hooks.
 */
export function openedForTests<T extends { close(): Promise<unknown> }>(open: () => Promise<T>): T {
  let value: T | undefined;
  beforeAll(async () => {
    value = await open();
  });
  afterAll(async () => {
    await value?.close();
  });
  return new Proxy({} as T, {
    get(_target, key) {
      if (value === undefined) throw new Error(`read ${String(key)} before the beforeAll hook opened it`);
      return Reflect.get(value, key);
    },
  });
}
