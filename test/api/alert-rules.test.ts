import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE as DEFAULT_SETTINGS } from '../../src/alerts/default-rule.js';
import {
  AGE_FILTER,
  DISCORD_WEBHOOK_ACTION,
  EMAIL_ACTION,
  ENVIRONMENT_FILTER,
  EVENT_FREQUENCY,
  FIRST_SEEN,
  LEVEL_FILTER,
  REAPPEARED,
  REGRESSION,
  SERVICE_ACTION,
  SLACK_WEBHOOK_ACTION,
  TAGGED_EVENT_FILTER,
  TEAMS_WEBHOOK_ACTION,
  USER_FREQUENCY,
} from '../../src/alerts/rule-model.js';
import { EMAIL_OFF_NOTE } from '../../src/api/serializers/alert-rule.js';
import { firstStart } from '../../src/services/bootstrap.js';
import {
  findWebhookPlugin,
  findWebhookUrls,
  insertAlertRule,
  listRulesOfProjects,
} from '../../src/store/region/alert-rules.js';
import { TEST_ENGINES } from '../support/engines.js';
import { createHarness, makeToken } from '../support/harness.js';
import { openedForTests } from '../support/lifecycle.js';
import { ISO, type Json, tokenClient } from './support/api-client.js';
import { openPeople } from './support/people.js';

// Issue alert rules over Sentry's API (/projects/{org}/{project}/rules/), the default rule of a new
// project, and the legacy webhooks plugin. Every test builds its own organization.

const DEFAULT_RULE = {
  id: expect.stringMatching(/^\d+$/),
  name: 'Send a notification for new issues',
  actionMatch: 'all',
  filterMatch: 'all',
  frequency: 30,
  environment: null,
  conditions: [{ id: FIRST_SEEN, name: 'A new issue is created' }],
  filters: [],
  actions: [
    {
      id: EMAIL_ACTION,
      targetType: 'IssueOwners',
      targetIdentifier: '',
      fallthroughType: 'ActiveMembers',
      name: 'Send a notification to IssueOwners and if none can be found then send a notification to ActiveMembers',
    },
  ],
  dateCreated: expect.stringMatching(ISO),
  owner: null,
  createdBy: null,
  projects: [expect.any(String)],
  status: 'active',
  snooze: false,
  // Email is off on the test server: a rule that emails says so.
  errors: [{ detail: EMAIL_OFF_NOTE }],
};

describe.each(TEST_ENGINES)('issue alert rules on %s', (engine) => {
  const w = openedForTests(() => openPeople(engine));

  /** An organization with a project `web` (and its default rule), its team's id, and a release deployed to `production`. */
  async function world() {
    const o = await w.owner();
    const project: Json = await o.api.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, {
      name: 'web',
    });
    const team: Json = await o.api.expect(200, 'GET', `/teams/${o.org}/${o.team}/`);
    await o.api.expect(201, 'POST', `/organizations/${o.org}/releases/`, {
      version: 'web@1',
      projects: ['web'],
    });
    await o.api.expect(201, 'POST', `/organizations/${o.org}/releases/web@1/deploys/`, {
      environment: 'production',
    });
    const rules = `/projects/${o.org}/web/rules/`;
    return { ...o, projectId: Number(project.id), teamId: team.id as string, rules };
  }

  it('gives a new project Sentry default rule, and none when created with default_rules false', async () => {
    const o = await world();
    expect(await o.api.expect(200, 'GET', o.rules)).toEqual([{ ...DEFAULT_RULE, projects: ['web'] }]);
    await o.api.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, {
      name: 'quiet',
      default_rules: false,
    });
    expect(await o.api.expect(200, 'GET', `/projects/${o.org}/quiet/rules/`)).toEqual([]);
    await o.api.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, {
      name: 'loud',
      default_rules: true,
    });
    expect(await o.api.expect(200, 'GET', `/projects/${o.org}/loud/rules/`)).toHaveLength(1);
  });

  it('gives the first-start project the default rule too', async () => {
    const h = await createHarness(engine);
    try {
      const started = await firstStart(h.ctx);
      expect(started).not.toBeNull();
      const api = tokenClient(h, started?.token as string);
      const rules: Json[] = await api.expect(
        200,
        'GET',
        `/projects/${started?.orgSlug}/${started?.projectSlug}/rules/`,
      );
      expect(rules).toEqual([{ ...DEFAULT_RULE, projects: [started?.projectSlug] }]);
    } finally {
      await h.close();
    }
  });

  it('creates, reads, lists, replaces and deletes a rule, every kind of condition, filter and action in it', async () => {
    const o = await world();
    const body = {
      name: '  Every kind  ',
      actionMatch: 'any',
      filterMatch: 'none',
      frequency: 60,
      environment: 'production',
      owner: `user:${o.user.id}`,
      conditions: [
        { id: FIRST_SEEN, name: 'ignored: Sentry renders names itself' },
        { id: REGRESSION },
        { id: REAPPEARED },
        { id: EVENT_FREQUENCY, value: 100, interval: '1h' },
        { id: USER_FREQUENCY, value: 5, interval: '1d', comparisonType: 'count' },
      ],
      filters: [
        { id: LEVEL_FILTER, match: 'gte', level: 'error' },
        { id: TAGGED_EVENT_FILTER, key: 'browser', match: 'co', value: 'Firefox' },
        { id: TAGGED_EVENT_FILTER, key: 'customer', match: 'is' },
        { id: AGE_FILTER, comparison_type: 'newer', value: 1, time: 'day' },
        { id: ENVIRONMENT_FILTER, environment: 'production' },
      ],
      actions: [
        { id: EMAIL_ACTION, targetType: 'IssueOwners', fallthroughType: 'NoOne' },
        { id: EMAIL_ACTION, targetType: 'Team', targetIdentifier: Number(o.teamId) },
        {
          id: EMAIL_ACTION,
          targetType: 'Member',
          targetIdentifier: o.user.id,
          fallthroughType: 'AllMembers',
        },
        { id: SERVICE_ACTION, service: 'webhooks' },
        { id: SLACK_WEBHOOK_ACTION, webhookUrl: 'https://hooks.slack.example/services/T/B/x' },
        { id: DISCORD_WEBHOOK_ACTION, webhookUrl: 'https://discord.example/api/webhooks/1/a' },
        { id: TEAMS_WEBHOOK_ACTION, webhookUrl: 'http://teams.example/webhook' },
      ],
    };
    const made: Json = await o.api.expect(200, 'POST', o.rules, body);
    expect(made).toEqual({
      id: expect.stringMatching(/^\d+$/),
      errors: [{ detail: EMAIL_OFF_NOTE }],
      name: 'Every kind',
      actionMatch: 'any',
      filterMatch: 'none',
      frequency: 60,
      environment: 'production',
      conditions: [
        { id: FIRST_SEEN, name: 'A new issue is created' },
        { id: REGRESSION, name: 'The issue changes state from resolved to unresolved' },
        { id: REAPPEARED, name: 'The issue changes state from ignored to unresolved' },
        {
          id: EVENT_FREQUENCY,
          value: 100,
          interval: '1h',
          comparisonType: 'count',
          name: 'The issue is seen more than 100 times in 1h',
        },
        {
          id: USER_FREQUENCY,
          value: 5,
          interval: '1d',
          comparisonType: 'count',
          name: 'The issue is seen by more than 5 users in 1d',
        },
      ],
      filters: [
        {
          id: LEVEL_FILTER,
          match: 'gte',
          level: '40',
          name: "The event's level is greater than or equal to error",
        },
        {
          id: TAGGED_EVENT_FILTER,
          key: 'browser',
          match: 'co',
          value: 'Firefox',
          name: "The event's tags match browser contains Firefox",
        },
        {
          id: TAGGED_EVENT_FILTER,
          key: 'customer',
          match: 'is',
          value: '',
          name: "The event's tags match customer is set",
        },
        {
          id: AGE_FILTER,
          comparison_type: 'newer',
          value: 1,
          time: 'day',
          name: 'The issue is newer than 1 day',
        },
        { id: ENVIRONMENT_FILTER, environment: 'production', name: "The event's environment is production" },
      ],
      actions: [
        {
          id: EMAIL_ACTION,
          targetType: 'IssueOwners',
          targetIdentifier: '',
          fallthroughType: 'NoOne',
          name: 'Send a notification to IssueOwners and if none can be found then send a notification to NoOne',
        },
        {
          id: EMAIL_ACTION,
          targetType: 'Team',
          targetIdentifier: Number(o.teamId),
          name: 'Send a notification to Team',
        },
        {
          id: EMAIL_ACTION,
          targetType: 'Member',
          targetIdentifier: o.user.id,
          fallthroughType: 'AllMembers',
          name: 'Send a notification to Member',
        },
        { id: SERVICE_ACTION, service: 'webhooks', name: 'Send a notification via webhooks' },
        {
          id: SLACK_WEBHOOK_ACTION,
          webhookUrl: 'https://hooks.slack.example/services/T/B/x',
          name: 'Send a notification to a Slack incoming webhook',
        },
        {
          id: DISCORD_WEBHOOK_ACTION,
          webhookUrl: 'https://discord.example/api/webhooks/1/a',
          name: 'Send a notification to a Discord webhook',
        },
        {
          id: TEAMS_WEBHOOK_ACTION,
          webhookUrl: 'http://teams.example/webhook',
          name: 'Send a notification to a Microsoft Teams incoming webhook',
        },
      ],
      dateCreated: expect.stringMatching(ISO),
      owner: null,
      createdBy: { id: o.user.id, name: o.user.email, email: o.user.email },
      projects: ['web'],
      status: 'active',
      snooze: false,
    });
    const url = `${o.rules}${made.id}/`;
    expect(await o.api.expect(200, 'GET', url)).toEqual(made);
    // Newest first, as Sentry lists them.
    const listed: Json[] = await o.api.expect(200, 'GET', o.rules);
    expect(listed.map((r) => r.name)).toEqual(['Every kind', 'Send a notification for new issues']);

    // What evaluation reads: the rule model, the level as Sentry's number and targets as text.
    const stored = (await listRulesOfProjects(w.h.ctx.db.region, [o.projectId])).get(o.projectId) ?? [];
    expect(stored.map((r) => r.name)).toEqual(['Send a notification for new issues', 'Every kind']);
    expect(stored[1]?.filters[0]).toEqual({ id: LEVEL_FILTER, match: 'gte', level: '40' });
    expect(stored[1]?.actions[1]).toEqual({
      id: EMAIL_ACTION,
      targetType: 'Team',
      targetIdentifier: o.teamId,
    });
    expect(stored[1]?.createdById).toBe(o.user.id);

    // PUT replaces the whole rule.
    const replaced: Json = await o.api.expect(200, 'PUT', url, {
      name: 'Only regressions',
      actionMatch: 'all',
      frequency: 5,
      conditions: [{ id: REGRESSION }],
      actions: [{ id: SERVICE_ACTION, service: 'webhooks' }],
    });
    expect(replaced).toMatchObject({
      id: made.id,
      name: 'Only regressions',
      actionMatch: 'all',
      filterMatch: 'all',
      frequency: 5,
      environment: null,
      filters: [],
      conditions: [{ id: REGRESSION }],
      actions: [{ id: SERVICE_ACTION, service: 'webhooks' }],
      dateCreated: made.dateCreated,
      createdBy: made.createdBy,
    });
    expect(await o.api.expect(200, 'GET', url)).toEqual(replaced);

    await o.api.expect(202, 'DELETE', url);
    await o.api.expect(404, 'GET', url);
    await o.api.expect(404, 'PUT', url, body);
    await o.api.expect(404, 'DELETE', url);
    expect((await o.api.expect(200, 'GET', o.rules)).map((r: Json) => r.name)).toEqual([
      'Send a notification for new issues',
    ]);

    // A deleted project takes its rules and its webhooks plugin with it.
    await o.api.expect(200, 'PUT', `/projects/${o.org}/web/plugins/webhooks/`, { urls: 'https://a.example' });
    await o.api.expect(204, 'DELETE', `/projects/${o.org}/web/`);
    expect(await listRulesOfProjects(w.h.ctx.db.region, [o.projectId])).toEqual(new Map());
    expect(await findWebhookPlugin(w.h.ctx.db.region, o.projectId)).toEqual({ enabled: false, urls: [] });
  });

  it("takes Terraform's body, numbers as text, and answers them as numbers", async () => {
    const o = await world();
    const made: Json = await o.api.expect(200, 'POST', o.rules, {
      name: 'terraform',
      actionMatch: 'any',
      filterMatch: 'all',
      frequency: '30',
      environment: null,
      conditions: [{ id: EVENT_FREQUENCY, value: '100', interval: '1h', comparisonType: 'count', name: 'x' }],
      filters: [
        { id: LEVEL_FILTER, match: 'eq', level: '50' },
        { id: AGE_FILTER, comparison_type: 'older', value: '3', time: 'week' },
      ],
      actions: [
        {
          id: EMAIL_ACTION,
          targetType: 'Team',
          targetIdentifier: o.teamId,
          fallthroughType: 'ActiveMembers',
        },
        { id: EMAIL_ACTION, targetType: 'Member', targetIdentifier: String(o.user.id) },
      ],
    });
    expect(made.frequency).toBe(30);
    expect(made.conditions[0]).toMatchObject({ value: 100, interval: '1h' });
    expect(made.filters).toMatchObject([
      { level: '50', name: "The event's level is equal to fatal" },
      { value: 3, name: 'The issue is older than 3 weeks' },
    ]);
    expect(made.actions).toMatchObject([
      { targetType: 'Team', targetIdentifier: Number(o.teamId), fallthroughType: 'ActiveMembers' },
      { targetType: 'Member', targetIdentifier: o.user.id },
    ]);
  });

  describe('refuses a bad rule with 400 naming the field, and saves nothing', () => {
    type Ids = { teamId: string; foreignTeamId: string; strangerId: number };
    type Case = [
      what: string,
      change: (ids: Ids) => Json,
      field: string,
      detail: string | ((ids: Ids) => string),
    ];
    const CASES: Case[] = [
      ['no name', () => ({ name: undefined }), 'name', 'name: This field is required.'],
      ['a blank name', () => ({ name: '   ' }), 'name', 'name: This field may not be blank.'],
      [
        'a name over 64 characters',
        () => ({ name: 'n'.repeat(65) }),
        'name',
        'name: Ensure this field has no more than 64 characters.',
      ],
      [
        'no actionMatch',
        () => ({ actionMatch: undefined }),
        'actionMatch',
        'actionMatch: This field is required.',
      ],
      [
        'an unknown actionMatch',
        () => ({ actionMatch: 'some' }),
        'actionMatch',
        'actionMatch: "some" is not a valid choice.',
      ],
      ['no frequency', () => ({ frequency: undefined }), 'frequency', 'frequency: This field is required.'],
      [
        'a frequency of 4 minutes',
        () => ({ frequency: 4 }),
        'frequency',
        'frequency: Ensure this value is greater than or equal to 5.',
      ],
      [
        'a frequency over 30 days',
        () => ({ frequency: '43201' }),
        'frequency',
        'frequency: Ensure this value is less than or equal to 43200.',
      ],
      [
        'a frequency as words',
        () => ({ frequency: 'often' }),
        'frequency',
        'frequency: A valid integer is required.',
      ],
      [
        'a fractional frequency',
        () => ({ frequency: 7.5 }),
        'frequency',
        'frequency: A valid integer is required.',
      ],
      [
        'an unknown environment',
        () => ({ environment: 'mars' }),
        'environment',
        'environment: This environment has not been created.',
      ],
      [
        'conditions that are not a list',
        () => ({ conditions: { id: FIRST_SEEN } }),
        'conditions',
        'conditions: Expected a list of items but got type "object".',
      ],
      [
        'a condition that is not an object',
        () => ({ conditions: ['first seen'] }),
        'conditions',
        'conditions[0]: Incorrect type. Expected a mapping, but got string.',
      ],
      [
        'a condition without id',
        () => ({ conditions: [{ value: 1 }] }),
        'conditions',
        "conditions[0].id: Missing attribute 'id'",
      ],
      [
        'an unknown condition',
        () => ({ conditions: [{ id: 'sentry.rules.conditions.nope.Nope' }] }),
        'conditions',
        "conditions[0].id: Invalid node. Could not find 'sentry.rules.conditions.nope.Nope'",
      ],
      [
        'a filter among the conditions',
        () => ({ conditions: [{ id: FIRST_SEEN }, { id: LEVEL_FILTER, match: 'eq', level: '40' }] }),
        'conditions',
        `conditions[1].id: Invalid node. Could not find '${LEVEL_FILTER}'`,
      ],
      [
        'a frequency condition without value',
        () => ({ conditions: [{ id: EVENT_FREQUENCY, interval: '1h' }] }),
        'conditions',
        'conditions[0].value: This field is required.',
      ],
      [
        'a frequency condition with a bad value',
        () => ({ conditions: [{ id: USER_FREQUENCY, value: 'many', interval: '1h' }] }),
        'conditions',
        'conditions[0].value: A valid integer is required.',
      ],
      [
        'a frequency condition with an unknown interval',
        () => ({ conditions: [{ id: EVENT_FREQUENCY, value: 1, interval: '2h' }] }),
        'conditions',
        'conditions[0].interval: "2h" is not a valid choice.',
      ],
      [
        'a percent comparison',
        () => ({
          conditions: [{ id: EVENT_FREQUENCY, value: 1, interval: '1h', comparisonType: 'percent' }],
        }),
        'conditions',
        'conditions[0].comparisonType: Errata counts events only: "percent" is not supported.',
      ],
      [
        'filters without filterMatch',
        () => ({ filters: [{ id: LEVEL_FILTER, match: 'eq', level: '40' }] }),
        'filterMatch',
        'filterMatch: Must select a filter match (all, any, none) if filters are supplied.',
      ],
      [
        'an unknown level',
        () => ({ filterMatch: 'all', filters: [{ id: LEVEL_FILTER, match: 'eq', level: '45' }] }),
        'filters',
        'filters[0].level: "45" is not a valid choice.',
      ],
      [
        'a level named after a property of every object',
        () => ({ filterMatch: 'all', filters: [{ id: LEVEL_FILTER, match: 'eq', level: 'constructor' }] }),
        'filters',
        'filters[0].level: "constructor" is not a valid choice.',
      ],
      [
        'a tag filter without value',
        () => ({ filterMatch: 'all', filters: [{ id: TAGGED_EVENT_FILTER, key: 'a', match: 'eq' }] }),
        'filters',
        'filters[0].value: This field is required.',
      ],
      [
        'an age filter in months',
        () => ({
          filterMatch: 'all',
          filters: [{ id: AGE_FILTER, comparison_type: 'older', value: 1, time: 'month' }],
        }),
        'filters',
        'filters[0].time: "month" is not a valid choice.',
      ],
      [
        'no actions',
        () => ({ actions: [] }),
        'actions',
        'actions: You must add an action for this alert to fire.',
      ],
      [
        'an unknown action',
        () => ({
          actions: [{ id: 'sentry.integrations.slack.notify_action.SlackNotifyServiceAction', workspace: 1 }],
        }),
        'actions',
        "actions[0].id: Invalid node. Could not find 'sentry.integrations.slack.notify_action.SlackNotifyServiceAction'",
      ],
      [
        'an unknown email target type',
        () => ({ actions: [{ id: EMAIL_ACTION, targetType: 'Everyone' }] }),
        'actions',
        'actions[0].targetType: "Everyone" is not a valid choice.',
      ],
      [
        'a team action without team',
        () => ({ actions: [{ id: EMAIL_ACTION, targetType: 'Team' }] }),
        'actions',
        'actions[0].targetIdentifier: You need to specify a Team or Member to send a mail to.',
      ],
      [
        "another organization's team",
        (ids) => ({
          actions: [{ id: EMAIL_ACTION, targetType: 'Team', targetIdentifier: ids.foreignTeamId }],
        }),
        'actions',
        (ids) => `actions[0].targetIdentifier: Team ${ids.foreignTeamId} is not in this organization.`,
      ],
      [
        'a user who is no member',
        (ids) => ({
          actions: [{ id: EMAIL_ACTION, targetType: 'Member', targetIdentifier: ids.strangerId }],
        }),
        'actions',
        (ids) => `actions[0].targetIdentifier: Member ${ids.strangerId} is not in this organization.`,
      ],
      [
        'an unknown fallthrough',
        () => ({ actions: [{ id: EMAIL_ACTION, targetType: 'IssueOwners', fallthroughType: 'Nobody' }] }),
        'actions',
        'actions[0].fallthroughType: "Nobody" is not a valid choice.',
      ],
      [
        'a service other than webhooks',
        () => ({ actions: [{ id: SERVICE_ACTION, service: 'mail' }] }),
        'actions',
        'actions[0].service: "mail" is not a valid choice. Errata\'s service is "webhooks".',
      ],
      [
        'a Slack webhook over FTP',
        () => ({ actions: [{ id: SLACK_WEBHOOK_ACTION, webhookUrl: 'ftp://hooks.example/x' }] }),
        'actions',
        'actions[0].webhookUrl: Enter an http or https URL.',
      ],
      [
        'a Discord webhook that is no URL',
        () => ({ actions: [{ id: DISCORD_WEBHOOK_ACTION, webhookUrl: 'not a url' }] }),
        'actions',
        'actions[0].webhookUrl: Enter a valid URL.',
      ],
      [
        'a Teams webhook without URL',
        () => ({ actions: [{ id: TEAMS_WEBHOOK_ACTION }] }),
        'actions',
        'actions[0].webhookUrl: This field is required.',
      ],
    ];

    /** One organization for every case (nothing is saved), another whose team and owner are foreign to it. */
    let shared: Promise<{ o: Awaited<ReturnType<typeof world>>; ids: Ids; ruleUrl: string }> | undefined;
    const sharedWorld = () => {
      shared ??= (async () => {
        const o = await world();
        const other = await w.owner();
        const otherTeam: Json = await other.api.expect(200, 'GET', `/teams/${other.org}/${other.team}/`);
        const [rule] = await o.api.expect(200, 'GET', o.rules);
        const ids = { teamId: o.teamId, foreignTeamId: otherTeam.id as string, strangerId: other.user.id };
        return { o, ids, ruleUrl: `${o.rules}${rule.id}/` };
      })();
      return shared;
    };

    it.each(CASES)('%s', async (_what, change, field, detail) => {
      const { o, ids, ruleUrl } = await sharedWorld();
      const expected = typeof detail === 'function' ? detail(ids) : detail;
      const body = {
        name: 'bad',
        actionMatch: 'all',
        frequency: 30,
        conditions: [{ id: FIRST_SEEN }],
        actions: [{ id: EMAIL_ACTION, targetType: 'Team', targetIdentifier: ids.teamId }],
        ...change(ids),
      };
      for (const [method, url] of [
        ['POST', o.rules],
        ['PUT', ruleUrl],
      ] as const) {
        const res = await o.api.send(method, url, body);
        expect(res.statusCode, res.body).toBe(400);
        // Sentry's list under the field: the message alone for the field itself, with its place inside a list.
        const own = `${field}: `;
        expect(res.json()).toEqual({
          [field]: [expected.startsWith(own) ? expected.slice(own.length) : expected],
          detail: expected,
        });
      }
      expect(await o.api.expect(200, 'GET', o.rules)).toEqual([{ ...DEFAULT_RULE, projects: ['web'] }]);
    });
  });

  it('keeps at most 100 rules a project', async () => {
    const o = await world();
    const now = Date.now();
    for (let i = 1; i < 100; i++) {
      await insertAlertRule(w.h.ctx.db.region, {
        ...DEFAULT_SETTINGS,
        projectId: o.projectId,
        createdById: null,
        now,
      });
    }
    const body = {
      name: 'one too many',
      actionMatch: 'all',
      frequency: 30,
      actions: [{ id: SERVICE_ACTION, service: 'webhooks' }],
    };
    const res = await o.api.send('POST', o.rules, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      conditions: ['You may not exceed 100 rules per project.'],
      detail: 'conditions: You may not exceed 100 rules per project.',
    });
    const [newest] = await o.api.expect(200, 'GET', `${o.rules}?per_page=1`);
    await o.api.expect(202, 'DELETE', `${o.rules}${newest.id}/`);
    await o.api.expect(200, 'POST', o.rules, body);
  });

  it('needs alerts:write or project:write to change rules, and shows another organization nothing', async () => {
    const o = await world();
    const body = {
      name: 'scoped',
      actionMatch: 'all',
      frequency: 30,
      conditions: [{ id: FIRST_SEEN }],
      actions: [{ id: SERVICE_ACTION, service: 'webhooks' }],
    };
    const readOnly = tokenClient(w.h, await makeToken(w.h.ctx, o.user, ['project:read', 'alerts:read']));
    const [rule] = await readOnly.expect(200, 'GET', o.rules);
    const ruleUrl = `${o.rules}${rule.id}/`;
    for (const [method, url] of [
      ['POST', o.rules],
      ['PUT', ruleUrl],
      ['DELETE', ruleUrl],
    ] as const) {
      const res = await readOnly.send(method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.headers['www-authenticate']).toBe(
        'Bearer error="insufficient_scope", scope="project:write project:admin alerts:write"',
      );
    }
    const alertsOnly = tokenClient(w.h, await makeToken(w.h.ctx, o.user, ['alerts:write']));
    const made: Json = await alertsOnly.expect(200, 'POST', o.rules, body);
    await alertsOnly.expect(200, 'PUT', `${o.rules}${made.id}/`, { ...body, name: 'renamed' });
    await alertsOnly.expect(202, 'DELETE', `${o.rules}${made.id}/`);

    const stranger = await w.owner();
    for (const [method, url] of [
      ['GET', o.rules],
      ['GET', ruleUrl],
      ['POST', o.rules],
      ['PUT', ruleUrl],
      ['DELETE', ruleUrl],
    ] as const) {
      const res = await stranger.api.send(method, url, body);
      expect([403, 404], `${method} ${url}`).toContain(res.statusCode);
      expect(res.body).not.toContain('Send a notification');
    }
    // Another organization's rule id through this project is not found.
    await stranger.api.expect(201, 'POST', `/teams/${stranger.org}/${stranger.team}/projects/`, {
      name: 'x',
    });
    const [theirs] = await stranger.api.expect(200, 'GET', `/projects/${stranger.org}/x/rules/`);
    await o.api.expect(404, 'GET', `${o.rules}${theirs.id}/`);
    await o.api.expect(404, 'GET', `${o.rules}not-a-number/`);
    expect(await o.api.expect(200, 'GET', o.rules)).toHaveLength(1);
  });
});

describe.each(TEST_ENGINES)('the legacy webhooks plugin on %s', (engine) => {
  const w = openedForTests(() => openPeople(engine));

  it('keeps callback URLs one per line, enabled and disabled as Sentry does', async () => {
    const o = await w.owner();
    const project: Json = await o.api.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, {
      name: 'web',
    });
    const projectId = Number(project.id);
    const url = `/projects/${o.org}/web/plugins/webhooks/`;
    const config = (plugin: Json) => plugin.config[0] as Json;

    const fresh: Json = await o.api.expect(200, 'GET', url);
    expect(fresh).toMatchObject({ id: 'webhooks', name: 'WebHooks', enabled: false, canDisable: true });
    expect(config(fresh)).toMatchObject({ name: 'urls', type: 'textarea', required: false, value: null });

    const saved: Json = await o.api.expect(200, 'PUT', url, {
      urls: ' https://a.example/hook \n\nhttp://b.example/x?y=1\r\n',
    });
    expect(config(saved).value).toBe('https://a.example/hook\nhttp://b.example/x?y=1');
    // Configuring does not enable it: rules send nowhere until it is.
    expect(saved.enabled).toBe(false);
    expect(await findWebhookUrls(w.h.ctx.db.region, projectId)).toEqual([]);

    await o.api.expect(201, 'POST', url, {});
    expect((await o.api.expect(200, 'GET', url)).enabled).toBe(true);
    expect(await findWebhookUrls(w.h.ctx.db.region, projectId)).toEqual([
      'https://a.example/hook',
      'http://b.example/x?y=1',
    ]);

    for (const urls of ['ftp://a.example/x', 'https://ok.example\nnot a url', 5]) {
      const res = await o.api.send('PUT', url, { urls });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        errors: { urls: typeof urls === 'number' ? 'Not a valid string.' : 'Not a valid URL.' },
        detail: typeof urls === 'number' ? 'urls: Not a valid string.' : 'urls: Not a valid URL.',
      });
    }
    expect(await findWebhookUrls(w.h.ctx.db.region, projectId)).toHaveLength(2);

    await o.api.expect(204, 'DELETE', url);
    expect((await o.api.expect(200, 'GET', url)).enabled).toBe(false);
    expect(await findWebhookUrls(w.h.ctx.db.region, projectId)).toEqual([]);

    const reset: Json = await o.api.expect(200, 'POST', url, { reset: true });
    expect(config(reset).value).toBeNull();
    await o.api.expect(400, 'POST', url, { test: true });

    await o.api.expect(404, 'GET', `/projects/${o.org}/web/plugins/slack/`);
    await o.api.expect(404, 'PUT', `/projects/${o.org}/web/plugins/asana/`, { urls: '' });
    const projectReader = tokenClient(w.h, await makeToken(w.h.ctx, o.user, ['project:read']));
    await projectReader.expect(200, 'GET', url);
    await projectReader.expect(403, 'POST', url, {});
    const projectWriter = tokenClient(w.h, await makeToken(w.h.ctx, o.user, ['project:write']));
    await projectWriter.expect(200, 'PUT', url, { urls: 'https://c.example' });
    // Disabling needs project:admin, as Sentry's project permission has it.
    await projectWriter.expect(403, 'DELETE', url);
  });
});
