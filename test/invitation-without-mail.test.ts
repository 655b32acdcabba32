// An invitation when Amber cannot send e-mail (issue 13): with no mail server the administrator
// who invites someone is told plainly that no e-mail was sent and shown the link to pass on, in
// that one response only (never in an address, a message others see, or a cache). With a mail
// server (a real SMTP server on loopback) the invitation is e-mailed, as before.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp, type TestSession } from './helpers/app.ts';
import { decodeEntities, htmlText } from './helpers/html.ts';
import { startTestSmtpServer, type TestSmtpServer } from './helpers/smtp.ts';
import { createSmtpMailer } from '../src/platform/mail/mailer.ts';
import { buildJobHandlers } from '../src/composition.ts';
import { paths } from '../src/paths.ts';

/** The invitation link a page shows in its read-only field. */
const shownLink = (html: string) =>
  decodeEntities(/<textarea[^>]*data-qa="invitation-link"[^>]*>([^<]*)<\/textarea>/.exec(html)?.[1] ?? '').trim();

const tokenOf = (link: string) => /\/invitations\/([\w-]+)/.exec(link)?.[1];

async function invite(t: TestApp, admin: TestSession, email: string, name: string) {
  return t.app.inject({
    method: 'POST',
    url: paths.users.invite,
    ...form({ email, name, roles: ['viewer'], _csrf: admin.csrfToken }),
    headers: { ...form({}).headers, cookie: admin.headers.cookie },
  });
}

for (const engine of ENGINES) {
  describe(`an invitation with no mail server [${engine}]`, () => {
    let t: TestApp;
    let admin: TestSession;
    before(async () => {
      t = await buildTestApp(engine, { as: false }); // the test app's mailer writes to the log
      admin = await t.signIn(['administrator']);
    });
    after(async () => t?.close());

    it('says on the form that no e-mail will be sent', async () => {
      const page = await t.app.inject({ url: paths.users.invite, headers: { cookie: admin.headers.cookie } });
      assert.equal(page.statusCode, 200);
      assert.match(
        htmlText(page.body),
        /Amber has no mail server set up, so it sends no e-mails\. Once you have invited someone, you will be shown the link to give them yourself\./,
      );
    });

    it('tells the administrator no e-mail was sent and shows the working link, to them only, once', async () => {
      const res = await invite(t, admin, 'nomail.one@leeds.example', 'Nomail One');
      assert.equal(res.statusCode, 200, 'a page, not a redirect that would carry the link in its address');
      assert.equal(res.headers.location, undefined);
      assert.match(String(res.headers['cache-control']), /no-store/);
      const text = htmlText(res.body);
      assert.match(text, /No e-mail was sent: give Nomail One their invitation link/);
      assert.match(text, /No e-mail was sent to nomail\.one@leeds\.example\. Amber has no mail server set up/);
      assert.doesNotMatch(text, /invitation has been sent/i);
      const link = shownLink(res.body);
      assert.match(link, /^http:\/\/localhost:3000\/invitations\/[\w-]{40,}$/);
      assert.match(text, /It works once, and expires at \d\d:\d\d on \d+ \w+ \d{4}\./);

      // The link works: whoever it is given to sets their password with it.
      const accept = await t.app.inject({ url: new URL(link).pathname });
      assert.equal(accept.statusCode, 200);
      assert.match(htmlText(accept.body), /nomail\.one@leeds\.example/);

      // Nobody sees it again: not the users page (this administrator's or another's), not the log page.
      const token = tokenOf(link)!;
      const other = await t.signIn(['administrator']);
      for (const who of [admin, other])
        for (const url of [paths.users.list, `${paths.users.list}?saved=invited`, paths.users.securityLog]) {
          const page = await t.app.inject({ url, headers: { cookie: who.headers.cookie } });
          assert.equal(page.statusCode, 200, url);
          assert.ok(!page.body.includes(token), `${url} does not show the link`);
        }
      // Only its hash is stored.
      const stored = await sql<{ n: number }>`
        select count(*)::int as n from one_time_token where id_hash = ${token}`.execute(t.db);
      assert.equal(stored.rows[0]!.n, 0);
    });

    it('gives a new link when the invitation is sent again; the earlier one stops working', async () => {
      const first = shownLink((await invite(t, admin, 'nomail.two@leeds.example', 'Nomail Two')).body);
      const user = (
        await sql<{ id: string }>`select id from user_account where email = 'nomail.two@leeds.example'`.execute(t.db)
      ).rows[0]!;
      const edit = await t.app.inject({ url: paths.users.show(user.id), headers: { cookie: admin.headers.cookie } });
      assert.match(
        htmlText(edit.body),
        /If you send the invitation again, you will be shown the link to give them yourself/,
      );
      const again = await t.app.inject({
        method: 'POST',
        url: paths.users.resendInvitation(user.id),
        ...form({ _csrf: admin.csrfToken }),
        headers: { ...form({}).headers, cookie: admin.headers.cookie },
      });
      assert.equal(again.statusCode, 200);
      assert.match(String(again.headers['cache-control']), /no-store/);
      assert.match(htmlText(again.body), /A new invitation has been made for Nomail Two\. Copy this link/);
      assert.match(htmlText(again.body), /The links made before it no longer work/);
      const second = shownLink(again.body);
      assert.notEqual(second, first);
      assert.equal((await t.app.inject({ url: new URL(first).pathname })).statusCode, 404);
      assert.equal((await t.app.inject({ url: new URL(second).pathname })).statusCode, 200);
    });
  });

  describe(`an invitation with a mail server [${engine}]`, () => {
    let t: TestApp;
    let smtp: TestSmtpServer;
    let admin: TestSession;
    before(async () => {
      smtp = await startTestSmtpServer();
      t = await buildTestApp(engine, {
        as: false,
        services: { mailer: createSmtpMailer({ url: smtp.url, from: 'Amber <amber@test.example>' }) },
      });
      admin = await t.signIn(['administrator']);
    });
    after(async () => {
      await t?.close();
      await smtp?.close();
    });

    it('e-mails the invitation and says so, showing no link', async () => {
      const form = await t.app.inject({ url: paths.users.invite, headers: { cookie: admin.headers.cookie } });
      assert.doesNotMatch(htmlText(form.body), /no mail server/);
      const res = await invite(t, admin, 'mailed@leeds.example', 'Mailed Person');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `${paths.users.list}?saved=invited`);
      assert.ok(!res.body.includes('/invitations/'));
      const list = await t.app.inject({ url: String(res.headers.location), headers: { cookie: admin.headers.cookie } });
      assert.match(htmlText(list.body), /The invitation has been sent\./);
      assert.ok(!list.body.includes('/invitations/'));

      // The queued e-mail goes out through the SMTP server, with the link.
      const handlers = buildJobHandlers(t.services);
      for (let i = 0; i < 20 && (await t.services.jobs.queue.runOne(handlers)); i++) {
        // every queued job, the invitation among them
      }
      const messages = await smtp.waitFor(1);
      const mail = messages.find((m) => m.to.includes('mailed@leeds.example'));
      assert.ok(mail, 'the invitation arrived');
      assert.equal(mail.subject, 'You have been invited to Amber');
      const link = mail.links.find((l) => l.includes('/invitations/'));
      assert.ok(link);
      assert.equal((await t.app.inject({ url: new URL(link).pathname })).statusCode, 200);
    });
  });
}
