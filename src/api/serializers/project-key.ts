import type { ProjectKey } from '../../store/types.js';
import { isoDate } from './dates.js';

/** Sentry's project key with its `dsn` object; the host is this server's public URL. */
export function serializeProjectKey(key: ProjectKey, baseUrl: string) {
  const url = new URL(baseUrl);
  const origin = `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
  const withKey = (auth: string) =>
    `${url.protocol}//${auth}@${url.host}${url.pathname.replace(/\/$/, '')}/${key.projectId}`;
  const api = `${origin}/api/${key.projectId}`;
  return {
    id: key.publicKey,
    name: key.name,
    label: key.name,
    public: key.publicKey,
    secret: key.secretKey,
    projectId: key.projectId,
    isActive: key.isActive,
    rateLimit: key.rateLimit ? { window: key.rateLimit.window, count: key.rateLimit.count } : null,
    dsn: {
      secret: withKey(`${key.publicKey}:${key.secretKey}`),
      public: withKey(key.publicKey),
      csp: `${api}/csp-report/?sentry_key=${key.publicKey}`,
      security: `${api}/security/?sentry_key=${key.publicKey}`,
      minidump: `${api}/minidump/?sentry_key=${key.publicKey}`,
      nel: `${api}/nel/?sentry_key=${key.publicKey}`,
      unreal: `${api}/unreal/${key.publicKey}/`,
      crons: `${api}/crons/___MONITOR_SLUG___/${key.publicKey}/`,
      cdn: `${origin}/js-sdk-loader/${key.publicKey}.min.js`,
      playstation: `${api}/playstation/?sentry_key=${key.publicKey}`,
      integration: `${api}/integration/`,
      otlp_traces: `${api}/integration/otlp/v1/traces`,
      otlp_logs: `${api}/integration/otlp/v1/logs`,
    },
    browserSdkVersion: 'latest',
    browserSdk: { choices: [['latest', 'latest']] },
    dateCreated: isoDate(key.dateCreated),
    dynamicSdkLoaderOptions: {
      hasReplay: false,
      hasPerformance: false,
      hasDebug: false,
      hasFeedback: false,
      hasLogsAndMetrics: false,
    },
    useCase: 'user',
  };
}
