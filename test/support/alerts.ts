import type { IssueAlert } from '../../src/alerts/issue-alert.js';

/** The facts of an issue alert, as evaluation gathers them; event text written to test escaping. */
export function makeAlert(overrides: Partial<IssueAlert> = {}): IssueAlert {
  return {
    baseUrl: 'https://errata.example',
    organizationSlug: 'acme',
    project: { id: 7, slug: 'backend', name: 'Backend & API' },
    issue: {
      id: 4242,
      shortId: 'BACKEND-3A',
      title: `TypeError: Cannot read properties of undefined (reading '<script>alert("x")</script>')`,
      culprit: 'app/handlers.js in handle<T>',
      level: 'error',
      count: 17,
      firstSeen: Date.UTC(2026, 11, 9, 14, 3, 51),
    },
    event: {
      eventId: '0123456789abcdef0123456789abcdef',
      message: 'Cannot read properties of undefined',
      environment: 'production',
      release: 'backend@1.4.2',
      logger: null,
      tags: [
        ['environment', 'production'],
        ['level', 'error'],
      ],
      timestamp: Date.UTC(2026, 11, 9, 15, 0, 0),
    },
    frames: [
      { filename: 'app/handlers.js', function: 'handle', lineno: 41, colno: 7, module: null },
      { filename: null, function: null, lineno: null, colno: null, module: 'app.router' },
    ],
    rules: ['Errors in production'],
    ...overrides,
  };
}
