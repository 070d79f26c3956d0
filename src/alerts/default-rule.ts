import { type AlertRuleSettings, EMAIL_ACTION, FIRST_SEEN } from './rule-model.js';

/**
 * The rule a new project gets unless it is created with `default_rules: false`: Sentry's default
 * before its priority-based one ("Send a notification for high priority issues", whose
 * conditions need Sentry's issue priority model, which Errata does not evaluate): mail the
 * issue's owners, or its project's active members when it has none, when a new issue is created,
 * at most every 30 minutes per issue (Sentry's default frequency).
 */
export const DEFAULT_RULE: AlertRuleSettings = {
  name: 'Send a notification for new issues',
  actionMatch: 'all',
  filterMatch: 'all',
  frequency: 30,
  environment: null,
  conditions: [{ id: FIRST_SEEN }],
  filters: [],
  actions: [
    { id: EMAIL_ACTION, targetType: 'IssueOwners', targetIdentifier: '', fallthroughType: 'ActiveMembers' },
  ],
};
