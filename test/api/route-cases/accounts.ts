import { expect } from 'vitest';
import { sendPasswordReset } from '../../../src/services/password-reset.js';
import { listAlertEmailOptOuts } from '../../../src/store/region/notification-settings.js';
import { makeUser, signIn } from '../../support/harness.js';
import { linkIn } from '../../support/mail.js';
import { OWN_PROJECT_SETTINGS, OWN_PROJECT_SETTINGS_CHANGE } from '../support/callers.js';
import { type Env, NOT_PROVIDED, next } from '../support/world.js';
import type { RouteCase } from './case.js';

// A person's account: recovering it by email (public), and their own notification settings.

const RECOVERY = { outside: 'account recovery by email: no organization involved' } as const;
const OWN_SETTINGS = { outside: "a person's own notification settings outside any organization" } as const;
const NEW_PASSWORD = 'a brand new passphrase';

/** A fresh person and a reset link mailed to them. */
async function resetLink(env: Env) {
  const person = await makeUser(env.h.ctx, { email: `recover-${next()}@matrix.test` });
  await sendPasswordReset(env.h.ctx, person.email);
  const email = await env.h.mail.waitForEmail(person.email);
  const link = linkIn(email, `${env.h.ctx.config.url}/auth/reset/`);
  return { person, token: link.split('/').filter(Boolean).at(-1) as string };
}

export const ACCOUNTS_CASES: Record<string, RouteCase> = {
  'POST /auth/password-reset/': {
    foreign: 'none',
    callers: RECOVERY,
    prepare: async (env) => {
      const person = await makeUser(env.h.ctx, { email: `forgot-${next()}@matrix.test` });
      return {
        url: '/api/0/auth/password-reset/',
        payload: { email: person.email.toUpperCase() },
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          expect(res.body).toBe('');
          const email = await env.h.mail.waitForEmail(person.email);
          expect(email.subject).toBe('Reset your Errata password');
          // At the URL of the node that was asked (the US node, on a two-region harness).
          expect(email.text).toMatch(/http:\/\/\S+\/auth\/reset\/[A-Za-z0-9_-]{43}\//);
        },
      };
    },
  },
  'POST /auth/password-reset/confirm/': {
    foreign: 'none',
    callers: RECOVERY,
    prepare: async (env) => {
      const { person, token } = await resetLink(env);
      const before = await signIn(env.h, person.email);
      return {
        url: '/api/0/auth/password-reset/confirm/',
        payload: { token, password: NEW_PASSWORD },
        check: async (res) => {
          expect(res.statusCode).toBe(204);
          const old = await env.h.request({
            method: 'GET',
            url: '/api/0/api-tokens/',
            headers: { cookie: before.cookie },
          });
          expect(old.statusCode).toBe(401);
          expect(old.json()).toEqual({ detail: NOT_PROVIDED });
          await signIn(env.h, person.email, NEW_PASSWORD);
        },
      };
    },
  },
  'GET /users/:user/notification-settings/': {
    foreign: 'deny',
    callers: OWN_SETTINGS,
    prepare: async (env) => ({
      url: `/api/0/users/${env.owner.id}/notification-settings/`,
      check: (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ workflowEmail: expect.any(Boolean) });
      },
    }),
  },
  'PUT /users/:user/notification-settings/': {
    foreign: 'deny',
    callers: OWN_SETTINGS,
    prepare: async (env) => {
      const url = `/api/0/users/${env.owner.id}/notification-settings/`;
      // Turned off, then on again: the owner's other cases assume the default.
      return {
        url,
        payload: { workflowEmail: false },
        check: async (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual({ workflowEmail: false });
          const headers = env.ownerSession.headers;
          const read = await env.h.request({ method: 'GET', url, headers });
          expect(read.json()).toEqual({ workflowEmail: false });
          const back = await env.h.request({ method: 'PUT', url, headers, payload: { workflowEmail: true } });
          expect(back.json()).toEqual({ workflowEmail: true });
        },
      };
    },
  },
  'GET /users/:user/notification-settings/:org/': {
    foreign: 'deny',
    callers: OWN_PROJECT_SETTINGS,
    prepare: async (_env, w) => ({
      url: `/api/0/users/me/notification-settings/${w.org.slug}/`,
      check: (res, who) => {
        expect(res.statusCode).toBe(200);
        const projects = (res.json() as { projects: { id: string }[] }).projects;
        const mine = projects.find((p) => p.id === String(w.project.id));
        if (who.name === 'member:off') expect(mine).toBeUndefined();
        else
          expect(mine).toEqual({
            id: String(w.project.id),
            slug: w.project.slug,
            name: w.project.name,
            platform: w.project.platform,
            alertEmail: true,
          });
      },
    }),
  },
  'PUT /users/:user/notification-settings/:org/': {
    foreign: 'deny',
    callers: OWN_PROJECT_SETTINGS_CHANGE,
    prepare: async (env, w) => ({
      url: `/api/0/users/me/notification-settings/${w.org.slug}/`,
      payload: { projects: [{ id: String(w.project.id), alertEmail: false }] },
      check: async (res) => {
        expect(res.statusCode).toBe(200);
        const projects = (res.json() as { projects: { id: string; alertEmail: boolean }[] }).projects;
        expect(projects.find((p) => p.id === String(w.project.id))?.alertEmail).toBe(false);
        // Only the caller's own setting: the project is new to this call.
        expect((await listAlertEmailOptOuts(env.h.ctx.db.region, w.project.id)).size).toBe(1);
      },
    }),
  },
};
