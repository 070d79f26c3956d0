import { describe, expect, it } from 'vitest';
import { formatEventIdAsUuid, generateEventId, normalizeEventId } from './event-id.js';

describe('normalizeEventId', () => {
  it.each([
    ['362503f306c349cfb5d85d3e40f88bbe', '362503f306c349cfb5d85d3e40f88bbe'],
    ['362503F306C349CFB5D85D3E40F88BBE', '362503f306c349cfb5d85d3e40f88bbe'],
    ['362503f3-06c3-49cf-b5d8-5d3e40f88bbe', '362503f306c349cfb5d85d3e40f88bbe'],
    ['362503F3-06C3-49CF-B5D8-5D3E40F88BBE', '362503f306c349cfb5d85d3e40f88bbe'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeEventId(input)).toBe(expected);
  });

  it.each([
    [undefined],
    [null],
    [42],
    [''],
    ['362503f306c349cfb5d85d3e40f88bb'],
    ['362503f306c349cfb5d85d3e40f88bbee'],
    ['362503f306c349cfb5d85d3e40f88bbg'],
    ['362503f3-06c349cf-b5d8-5d3e40f88bbe'],
    ['{362503f3-06c3-49cf-b5d8-5d3e40f88bbe}'],
    [' 362503f306c349cfb5d85d3e40f88bbe'],
  ])('rejects %j', (input) => {
    expect(() => normalizeEventId(input)).toThrow(
      expect.objectContaining({
        code: 'invalid_event_id',
        message: expect.stringContaining('invalid event id'),
      }),
    );
  });
});

describe('generateEventId', () => {
  it('makes distinct UUID v4 ids in normalized form', () => {
    const a = generateEventId();
    expect(a).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    expect(generateEventId()).not.toBe(a);
  });
});

describe('formatEventIdAsUuid', () => {
  it('inserts dashes', () => {
    expect(formatEventIdAsUuid('362503F306C349CFB5D85D3E40F88BBE')).toBe(
      '362503f3-06c3-49cf-b5d8-5d3e40f88bbe',
    );
  });
});
