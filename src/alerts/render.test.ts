import { describe, expect, it } from 'vitest';
import { makeAlert } from '../../test/support/alerts.js';
import { frameLine, issueLink } from './issue-alert.js';
import { renderIssueAlertEmail } from './render.js';

describe('renderIssueAlertEmail', () => {
  const alert = makeAlert();
  const email = renderIssueAlertEmail(alert);

  it('names the issue in the subject as Sentry does, on one line', () => {
    expect(email.subject).toBe(
      `[Errata] BACKEND-3A - TypeError: Cannot read properties of undefined (reading '<script>alert("x")</script>')`,
    );
    const long = renderIssueAlertEmail(
      makeAlert({
        issue: { ...alert.issue, title: `Error: line one\r\nBcc: victim@example.com\n${'x'.repeat(300)}` },
      }),
    );
    expect(long.subject).not.toMatch(/[\r\n]/);
    expect(long.subject).toHaveLength(200);
    expect(long.subject.endsWith('…')).toBe(true);
  });

  it('says everything in the text part: facts, frames, rule and the link under the public URL', () => {
    expect(email.text).toBe(
      [
        'New alert from Backend & API',
        '',
        `TypeError: Cannot read properties of undefined (reading '<script>alert("x")</script>')`,
        'app/handlers.js in handle<T>',
        '',
        'Project: Backend & API',
        'Environment: production',
        'Release: backend@1.4.2',
        'Level: error',
        'Events: 17',
        'First seen: 2026-12-09 14:03:51 UTC',
        '',
        'Stack trace (most recent call first):',
        '  at handle (app/handlers.js:41:7)',
        '  at ? (app.router)',
        '',
        'Rule: Errors in production',
        '',
        'View the issue: https://errata.example/organizations/acme/issues/4242/?referrer=alert_email',
        '',
      ].join('\n'),
    );
  });

  it('escapes every value from the event in the HTML part', () => {
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('handle<T>');
    expect(email.html).toContain(
      '(reading &#39;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;)</a></h2>',
    );
    expect(email.html).toContain('app/handlers.js in handle&lt;T&gt;');
    expect(email.html).toContain('New alert from Backend &amp; API');
    expect(email.html).toContain('at handle (app/handlers.js:41:7)');
    expect(email.html).toContain(
      '<a href="https://errata.example/organizations/acme/issues/4242/?referrer=alert_email">View the issue on Errata</a>',
    );
  });

  it('leaves out what the event does not have', () => {
    const bare = renderIssueAlertEmail(
      makeAlert({
        issue: { ...alert.issue, culprit: null },
        event: { ...alert.event, environment: null, release: null },
        frames: [],
        rules: [],
      }),
    );
    expect(bare.text).not.toMatch(/Environment|Release|Stack trace|Rule/);
    expect(bare.html).not.toMatch(/Environment|Release|Stack trace|Rule/);
  });
});

describe('issue links and frames', () => {
  it('link to the issue page the API calls its permalink', () => {
    expect(issueLink(makeAlert())).toBe('https://errata.example/organizations/acme/issues/4242/');
    expect(issueLink(makeAlert(), 'alert_email')).toBe(
      'https://errata.example/organizations/acme/issues/4242/?referrer=alert_email',
    );
  });

  it("link a test notification's sample issue, which has no page, to the project's issues", () => {
    const sample = makeAlert({ issue: { ...makeAlert().issue, id: 0 }, test: true });
    expect(issueLink(sample)).toBe('https://errata.example/organizations/acme/issues/?project=7');
    expect(issueLink(sample, 'alert_email')).toBe(
      'https://errata.example/organizations/acme/issues/?project=7&referrer=alert_email',
    );
  });

  it('show a frame by what is known of it', () => {
    expect(frameLine({ filename: 'a.py', function: 'f', lineno: 3, colno: null, module: null })).toBe(
      'f (a.py:3)',
    );
    expect(frameLine({ filename: null, function: 'f', lineno: null, colno: null, module: null })).toBe('f');
  });
});
