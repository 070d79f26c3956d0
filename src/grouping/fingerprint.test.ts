import { describe, expect, it } from 'vitest';
import { DEFAULT_GROUPING, type FingerprintPart, resolveFingerprint } from './fingerprint.js';
import type { GroupingInput } from './grouping-input.js';

const event: GroupingInput = {
  transaction: 'GET /orders',
  level: 'warning',
  logger: 'orders',
  tags: [
    ['tenant', 'acme'],
    ['tenant', 'other'],
  ],
  exception: {
    values: [
      {
        type: 'DbError',
        value: 'timeout',
        stacktrace: {
          frames: [
            { function: 'main', module: 'app.main', package: '/srv/app/main.py', in_app: true },
            {
              function: 'query',
              module: 'psycopg.cursor',
              package: '/usr/lib/psycopg/cursor.py',
              in_app: false,
            },
          ],
        },
      },
    ],
  },
};

describe('resolveFingerprint', () => {
  it.each<[string, unknown, FingerprintPart[] | undefined]>([
    ['absent', undefined, undefined],
    ['not a list', 'x', undefined],
    ['empty', [], undefined],
    ['only {{ default }}', ['{{ default }}'], undefined],
    ['only {{default}}, no spaces', ['{{default}}'], undefined],
    ['literals stay literal', ['a', ' b ', ''], ['a', ' b ', '']],
    ['{{ default }} among others', ['{{ default }}', 'x'], [DEFAULT_GROUPING, 'x']],
    ['case-insensitive names', ['{{ Transaction }}'], ['GET /orders']],
    ['type, error.type', ['{{ type }}', '{{error.type}}'], ['DbError', 'DbError']],
    [
      'crash frame: in-app first',
      ['{{ function }}', '{{ stack.module }}', '{{ package }}'],
      ['main', 'app.main', 'main.py'],
    ],
    ['level and logger', ['{{ level }}', '{{ logger }}'], ['warning', 'orders']],
    [
      'tags: first pair wins, key keeps its case',
      ['{{ tags.tenant }}', '{{ tags.Tenant }}'],
      ['acme', '<no-value-for-tag-Tenant>'],
    ],
    ['not a whole element', ['x {{ type }}'], ['x {{ type }}']],
    ['unknown variable', ['{{ user.id }}'], ['{{ user.id }}']],
    ['scalars stringified, junk dropped', [1, true, null, {}, []], ['1', 'true']],
  ])('%s', (_, fingerprint, expected) => {
    expect(resolveFingerprint({ ...event, fingerprint })).toEqual(expected);
  });

  it.each<[string, string]>([
    ['{{ transaction }}', '<no-transaction>'],
    ['{{ type }}', '<no-type>'],
    ['{{ function }}', '<no-function>'],
    ['{{ module }}', '<no-module>'],
    ['{{ package }}', '<no-package>'],
    ['{{ level }}', 'error'],
    ['{{ logger }}', '<no-logger>'],
  ])('%s on an empty event → %s', (variable, expected) => {
    expect(resolveFingerprint({ fingerprint: [variable] })).toEqual([expected]);
  });
});
