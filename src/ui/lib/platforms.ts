/** Platforms a project can be created with (Sentry's ids), the first two with a setup snippet. */
export const PLATFORMS: { id: string; name: string }[] = [
  { id: 'node', name: 'Node.js' },
  { id: 'python', name: 'Python' },
  { id: 'javascript', name: 'Browser JavaScript' },
  { id: 'javascript-react', name: 'React' },
  { id: 'go', name: 'Go' },
  { id: 'java', name: 'Java' },
  { id: 'ruby', name: 'Ruby' },
  { id: 'php', name: 'PHP' },
  { id: 'csharp', name: '.NET' },
  { id: 'other', name: 'Other' },
];

export function platformName(id: string | null): string {
  return PLATFORMS.find((p) => p.id === id)?.name ?? id ?? 'Other';
}

export function nodeSnippet(dsn: string): { install: string; code: string } {
  return {
    install: 'npm install @sentry/node',
    code: `// instrument.mjs: load it first, e.g. node --import ./instrument.mjs app.mjs
import * as Sentry from '@sentry/node';

Sentry.init({
  dsn: '${dsn}',
  environment: 'production',
});

// Unhandled errors are sent for you. To try it now, send one by hand:
try {
  throw new Error('My first Errata error');
} catch (err) {
  Sentry.captureException(err);
}
await Sentry.flush(2000);
`,
  };
}

export function pythonSnippet(dsn: string): { install: string; code: string } {
  return {
    install: 'pip install sentry-sdk',
    code: `import sentry_sdk

sentry_sdk.init(
    dsn="${dsn}",
    environment="production",
)

# Unhandled exceptions are sent for you. To try it now:
division_by_zero = 1 / 0
`,
  };
}
