import type { WebhookPlugin } from '../../store/region/alert-rules.js';

/**
 * Sentry's plugin serializer (with its config) for the one legacy plugin Errata keeps, WebHooks:
 * its `urls` field as Sentry's form describes it, the value one URL per line or null.
 */
export function serializeWebhookPlugin(plugin: WebhookPlugin) {
  return {
    id: 'webhooks',
    name: 'WebHooks',
    slug: 'webhooks',
    shortName: 'WebHooks',
    type: 'notification',
    canDisable: true,
    isTestable: false,
    hasConfiguration: true,
    metadata: {},
    contexts: [],
    status: 'unknown',
    assets: [],
    doc: '',
    firstPartyAlternative: null,
    deprecationDate: null,
    altIsSentryApp: null,
    enabled: plugin.enabled,
    isDeprecated: false,
    isHidden: false,
    description: 'Trigger outgoing HTTP POST requests from Errata when an alert rule fires.',
    features: ['alert-rule'],
    featureDescriptions: [],
    config: [
      {
        name: 'urls',
        label: 'Callback URLs',
        type: 'textarea',
        required: false,
        help: 'Enter callback URLs to POST new events to (one per line).',
        placeholder: 'https://sentry.io/callback/url',
        choices: null,
        readonly: false,
        defaultValue: null,
        value: plugin.urls.length === 0 ? null : plugin.urls.join('\n'),
        isDeprecated: false,
        isHidden: false,
      },
    ],
  };
}
