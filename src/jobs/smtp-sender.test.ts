import { describe, expect, it } from 'vitest';
import { describeSmtpUrl } from './smtp-sender.js';

describe('describeSmtpUrl', () => {
  it('names the server for the log without its credentials', () => {
    expect(describeSmtpUrl('smtps://errata:hunter2@mail.example.com:465')).toBe(
      'smtps://mail.example.com:465',
    );
    expect(describeSmtpUrl('smtp://mail.example.com')).toBe('smtp://mail.example.com');
  });
});
