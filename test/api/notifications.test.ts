import { describe, expect, it } from 'vitest';
import { createOrgToken } from '../../src/services/org-tokens.js';
import { insertIssue } from '../../src/store/region/issues.js';
import { listAlertEmailOptOuts } from '../../src/store/region/notification-settings.js';
import { TEST_ENGINES } from '../support/engines.js';
import { TEST_URL } from '../support/harness.js';
import { openedForTests } from '../support/lifecycle.js';
import { linkIn } from '../support/mail.js';
import { type Json, tokenClient } from './support/api-client.js';
import { openPeople } from './support/people.js';

// Email that people's own actions cause, and the settings that hold it back: the invitation sent to
// an invited address, the workflow email to a person an issue is assigned to, and each person's
// notification settings (workflow email; alert email per project).

const NOT_PROVIDED = 'Authentication credentials were not provided.';
const INVALID_PROJECTS = { projects: ['Invalid project ids'], detail: 'projects: Invalid project ids' };

describe.each(TEST_ENGINES)('notifications on %s', (engine) => {
  const w = openedForTests(() => openPeople(engine));
  let seq = 0;

  /** An owner with a project of their team, and a member of that team. */
  async function team() {
    const o = await w.owner();
    const project: Json = await o.api.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, {
      name: `Shop ${++seq}`,
    });
    const dev = await w.join(o.api, o.org, 'member', [o.team]);
    return { o, dev, project };
  }

  /** An issue of the project with the given title, as digest would make it. */
  const issue = (projectId: string, title: string) =>
    insertIssue(w.h.ctx.db.region, {
      projectId: Number(projectId),
      type: 'error',
      title,
      culprit: 'app/checkout.js in pay',
      metadata: {},
      level: 'error',
      platform: 'node',
      logger: null,
      timestamp: Date.now(),
      release: null,
    });

  describe('personal settings', () => {
    it('keeps workflow email per person, for that person only, and only through the web session', async () => {
      const p = await w.person();
      const other = await w.person();
      const url = '/users/me/notification-settings/';
      expect(await p.web.expect(200, 'GET', url)).toEqual({ workflowEmail: true });
      expect(await p.web.expect(200, 'PUT', url, { workflowEmail: false })).toEqual({ workflowEmail: false });
      expect(await p.web.expect(200, 'GET', `/users/${p.user.id}/notification-settings/`)).toEqual({
        workflowEmail: false,
      });
      // A body without the field changes nothing.
      expect(await p.web.expect(200, 'PUT', url, {})).toEqual({ workflowEmail: false });
      expect(await other.web.expect(200, 'GET', url)).toEqual({ workflowEmail: true });
      await other.web.expect(403, 'GET', `/users/${p.user.id}/notification-settings/`);
      await other.web.expect(403, 'PUT', `/users/${p.user.id}/notification-settings/`, {
        workflowEmail: true,
      });
      expect(await p.api.expect(403, 'GET', url)).toEqual({ detail: NOT_PROVIDED });
      expect(await p.web.expect(200, 'GET', url)).toEqual({ workflowEmail: false });
    });

    it('turns alert email off and on per project, for the caller alone', async () => {
      const { o, dev, project } = await team();
      const second: Json = await o.api.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, {
        name: `Back office ${seq}`,
      });
      const url = `/users/me/notification-settings/${o.org}/`;
      const listed: Json = await o.web.expect(200, 'GET', url);
      expect(listed.projects.map((p: Json) => [p.slug, p.alertEmail]).sort()).toEqual(
        [
          [project.slug, true],
          [second.slug, true],
        ].sort(),
      );
      const off: Json = await o.web.expect(200, 'PUT', url, {
        projects: [{ id: project.id, alertEmail: false }],
      });
      expect(off.projects.find((p: Json) => p.id === project.id)).toMatchObject({ alertEmail: false });
      expect(off.projects.find((p: Json) => p.id === second.id)).toMatchObject({ alertEmail: true });
      expect((await o.web.expect(200, 'GET', url)).projects).toEqual(off.projects);
      const optOuts = () => listAlertEmailOptOuts(w.h.ctx.db.region, Number(project.id));
      expect(await optOuts()).toEqual(new Set([o.user.id]));
      expect(await listAlertEmailOptOuts(w.h.ctx.db.region, Number(second.id))).toEqual(new Set());

      // The member's settings are their own.
      const theirs: Json = await dev.web.expect(200, 'GET', url);
      expect(theirs.projects.find((p: Json) => p.id === project.id)).toMatchObject({ alertEmail: true });
      // Numeric ids, and the same setting twice, are fine.
      await dev.web.expect(200, 'PUT', url, {
        projects: [
          { id: Number(project.id), alertEmail: false },
          { id: project.id, alertEmail: false },
        ],
      });
      expect(await optOuts()).toEqual(new Set([o.user.id, dev.user.id]));
      await o.web.expect(200, 'PUT', url, { projects: [{ id: project.id, alertEmail: true }] });
      expect(await optOuts()).toEqual(new Set([dev.user.id]));

      // One unknown id refuses the whole change.
      expect(
        await o.web.expect(400, 'PUT', url, {
          projects: [
            { id: second.id, alertEmail: false },
            { id: '999999', alertEmail: false },
          ],
        }),
      ).toEqual(INVALID_PROJECTS);
      expect(await listAlertEmailOptOuts(w.h.ctx.db.region, Number(second.id))).toEqual(new Set());
      // Tokens may not read or change them; nor may a person outside the organization.
      await o.api.expect(403, 'GET', url);
      const stranger = await w.person();
      await stranger.web.expect(403, 'GET', url);
    });

    it('lists and takes only the projects a member reaches', async () => {
      const { o, dev, project } = await team();
      const other: Json = await o.api.expect(201, 'POST', `/organizations/${o.org}/teams/`, {
        slug: `ops-${seq}`,
      });
      const hidden: Json = await o.api.expect(201, 'POST', `/teams/${o.org}/${other.slug}/projects/`, {
        name: `Ops ${seq}`,
      });
      await o.api.expect(200, 'PUT', `/organizations/${o.org}/`, { openMembership: false });
      const url = `/users/me/notification-settings/${o.org}/`;
      const theirs: Json = await dev.web.expect(200, 'GET', url);
      expect(theirs.projects.map((p: Json) => p.id)).toEqual([project.id]);
      expect(
        await dev.web.expect(400, 'PUT', url, { projects: [{ id: hidden.id, alertEmail: false }] }),
      ).toEqual(INVALID_PROJECTS);
      expect(await listAlertEmailOptOuts(w.h.ctx.db.region, Number(hidden.id))).toEqual(new Set());
      const mine: Json = await o.web.expect(200, 'GET', url);
      expect(mine.projects.map((p: Json) => p.id).sort()).toEqual([project.id, hidden.id].sort());
    });
  });

  describe('invitations', () => {
    it('mails the invited address the link of the answer, unless told not to', async () => {
      const o = await w.owner();
      const email = `invited-${++seq}@notify.test`;
      const invited: Json = await o.web.expect(201, 'POST', `/organizations/${o.org}/members/`, { email });
      const [mail, ...more] = w.h.mail.to(email);
      expect(more).toEqual([]);
      expect(mail?.subject).toBe(`${o.user.name} invited you to join Org ${o.org.slice(4)} on Errata`);
      expect(mail?.text).toContain(invited.invite_link);
      expect(mail?.text).toContain('as member');
      expect(mail?.html).toContain(`<a href="${invited.invite_link}">`);
      // Queued in the transaction that made the invite, so that neither exists without the other.
      expect(mail?.db.isTransaction).toBe(true);

      const quiet = `quiet-${seq}@notify.test`;
      const kept: Json = await o.web.expect(201, 'POST', `/organizations/${o.org}/members/`, {
        email: quiet,
        sendInvite: false,
      });
      expect(kept.invite_link).toMatch(/\/accept\//);
      expect(w.h.mail.to(quiet)).toEqual([]);
    });

    it("mails a member's invite too, though only the mail shows that link, and it works", async () => {
      const { o, dev } = await team();
      const newcomer = await w.person();
      const invited: Json = await dev.web.expect(201, 'POST', `/organizations/${o.org}/members/`, {
        email: newcomer.user.email,
      });
      expect(invited.invite_link).toBeNull();
      const mail = await w.h.mail.waitForEmail(newcomer.user.email);
      expect(mail.subject).toContain(`${dev.user.name} invited you`);
      const link = linkIn(mail, `${TEST_URL}/accept/`);
      await newcomer.web.expect(
        204,
        'POST',
        new URL(link).pathname.replace(/^\/accept\//, '/accept-invite/'),
      );
      expect(await newcomer.api.expect(200, 'GET', `/organizations/${o.org}/`)).toMatchObject({
        role: 'member',
      });
    });

    it('mails a new link on reinvite, after which only the newest works', async () => {
      const o = await w.owner();
      const newcomer = await w.person();
      const url = `/organizations/${o.org}/members/`;
      const invited: Json = await o.web.expect(201, 'POST', url, { email: newcomer.user.email });
      const resent: Json = await o.web.expect(200, 'PUT', `${url}${invited.id}/`, { reinvite: true });
      expect(resent.invite_link).not.toBe(invited.invite_link);
      const mails = w.h.mail.to(newcomer.user.email);
      expect(mails).toHaveLength(2);
      expect(mails[1]?.text).toContain(resent.invite_link);
      // regenerate alone makes a link without mail.
      const regenerated: Json = await o.web.expect(200, 'PUT', `${url}${invited.id}/`, { regenerate: true });
      expect(w.h.mail.to(newcomer.user.email)).toHaveLength(2);
      const accept = (link: string) => new URL(link).pathname.replace(/^\/accept\//, '/accept-invite/');
      await newcomer.web.expect(404, 'POST', accept(resent.invite_link));
      await newcomer.web.expect(204, 'POST', accept(regenerated.invite_link));
    });
  });

  describe('assignment', () => {
    /** Workflow email to an address (joining an organization brought an invitation before). */
    const assigned = (email: string) =>
      w.h.mail.to(email).filter((m) => m.subject.includes('assigned to you'));

    it('mails the new assignee, in one line of subject and escaped HTML, never the one who assigns', async () => {
      const { o, dev, project } = await team();
      const title = '<b>Checkout</b> failed\n  for card 4242';
      const id = await issue(project.id, title);
      const put = (who: { web: typeof o.web }, assignedTo: string, target = id) =>
        who.web.expect(200, 'PUT', `/organizations/${o.org}/issues/${target}/`, { assignedTo });

      await put(o, `user:${dev.user.id}`);
      const [mail, ...more] = assigned(dev.user.email);
      expect(more).toEqual([]);
      const shortId = (await o.web.expect(200, 'GET', `/organizations/${o.org}/issues/${id}/`)).shortId;
      expect(mail?.subject).toBe(`${shortId} assigned to you: <b>Checkout</b> failed for card 4242`);
      const link = `${TEST_URL}/organizations/${o.org}/issues/${id}/`;
      expect(mail?.text).toContain(`${o.user.name} assigned you an issue in Org ${o.org.slice(4)}:`);
      expect(mail?.text).toContain(link);
      expect(mail?.text).toContain(`${TEST_URL}/settings/account/notifications/`);
      expect(mail?.html).toContain('&lt;b&gt;Checkout&lt;/b&gt;');
      expect(mail?.html).not.toContain('<b>Checkout');
      expect(mail?.html).toContain(`<a href="${link}">`);
      expect(mail?.db.isTransaction).toBe(true);

      // Already theirs: nothing new. Taking an issue oneself: nothing either.
      await put(o, dev.user.email);
      const own = await issue(project.id, 'Own work');
      await put(dev, `user:${dev.user.id}`, own);
      expect(assigned(dev.user.email)).toHaveLength(1);
      // The owner assigning back to themselves from the member: the owner did it, no mail to anyone.
      await put(o, `user:${o.user.id}`, own);
      expect(assigned(o.user.email)).toEqual([]);
      // The member giving it to the owner: the owner hears of it.
      const given = await issue(project.id, 'Handed over');
      await put(dev, `user:${o.user.id}`, given);
      expect(assigned(o.user.email)).toHaveLength(1);
      // A team assignment mails no one.
      await put(o, `team:${(await o.api.expect(200, 'GET', `/teams/${o.org}/${o.team}/`)).id}`, given);
      expect(w.h.mail.queued.filter((m) => m.subject.includes('Handed over'))).toHaveLength(1);
    });

    it('lists every issue of a bulk assignment in one mail, and says an organization token did it', async () => {
      const { o, dev, project } = await team();
      const a = await issue(project.id, 'First of two');
      const b = await issue(project.id, 'Second of two');
      await o.web.expect(200, 'PUT', `/organizations/${o.org}/issues/?id=${a}&id=${b}`, {
        assignedTo: `user:${dev.user.id}`,
      });
      const [mail] = assigned(dev.user.email);
      expect(mail?.subject).toBe(`2 issues assigned to you in Org ${o.org.slice(4)}`);
      expect(mail?.text).toContain('First of two');
      expect(mail?.text).toContain('Second of two');

      const orgId = Number((await o.api.expect(200, 'GET', `/organizations/${o.org}/`)).id);
      const { token } = await createOrgToken(w.h.ctx, {
        organizationId: orgId,
        orgSlug: o.org,
        name: 'triage bot',
        scopes: ['event:write'],
        createdById: o.user.id,
      });
      const c = await issue(project.id, 'Third');
      await tokenClient(w.h, token).expect(200, 'PUT', `/organizations/${o.org}/issues/${c}/`, {
        assignedTo: `user:${dev.user.id}`,
      });
      expect(assigned(dev.user.email)[1]?.text).toContain('An organization token assigned you an issue');
    });

    it('mails nothing to someone who turned workflow email off, nor for a change that was refused', async () => {
      const { o, dev, project } = await team();
      const id = await issue(project.id, 'Quiet please');
      await dev.web.expect(200, 'PUT', '/users/me/notification-settings/', { workflowEmail: false });
      await o.web.expect(200, 'PUT', `/organizations/${o.org}/issues/${id}/`, {
        assignedTo: `user:${dev.user.id}`,
      });
      expect(assigned(dev.user.email)).toEqual([]);
      await dev.web.expect(200, 'PUT', '/users/me/notification-settings/', { workflowEmail: true });
      const other = await issue(project.id, 'Refused change');
      await o.web.expect(400, 'PUT', `/organizations/${o.org}/issues/${other}/`, {
        assignedTo: `user:${dev.user.id}`,
        status: 'resolved',
        statusDetails: { inRelease: 'no-such-release' },
      });
      expect(assigned(dev.user.email)).toEqual([]);
    });
  });
});
