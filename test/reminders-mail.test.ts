// E-mail: the settings (SMTP_URL, MAIL_FROM, PUBLIC_URL), the SMTP mailer against a real SMTP
// server, the log mailer used without one, and the mail job's retries.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, publicUrlOf, ConfigError } from '../src/config.ts';
import { createMailer, createLogMailer, createSmtpMailer, MailError } from '../src/platform/mail/mailer.ts';
import { mailJobHandler, MAIL_JOB } from '../src/platform/mail/mail.job.ts';
import type { Job, JobContext } from '../src/platform/jobs/jobs.ts';
import { startTestSmtpServer, type TestSmtpServer } from './helpers/smtp.ts';

const env = (vars: Record<string, string>) => ({ NODE_ENV: 'test', ...vars });

describe('e-mail settings', () => {
  it('sends nothing and links to localhost on the port by default', () => {
    const config = loadConfig(env({ PORT: '4321' }));
    assert.equal(config.smtpUrl, undefined);
    assert.equal(config.mailFrom, 'Amber <amber@localhost>');
    assert.equal(publicUrlOf(config), 'http://localhost:4321');
  });

  it('reads SMTP_URL, MAIL_FROM and PUBLIC_URL (without its trailing slash)', () => {
    const config = loadConfig(
      env({
        SMTP_URL: 'smtps://amber:s3cret@mail.example.gov.uk:465',
        MAIL_FROM: 'Performance team <performance@example.gov.uk>',
        PUBLIC_URL: 'https://amber.example.gov.uk/',
      }),
    );
    assert.equal(config.smtpUrl, 'smtps://amber:s3cret@mail.example.gov.uk:465');
    assert.equal(config.mailFrom, 'Performance team <performance@example.gov.uk>');
    assert.equal(publicUrlOf(config), 'https://amber.example.gov.uk');
  });

  const refused: [string, Record<string, string>, RegExp][] = [
    [
      'an SMTP_URL that is not smtp:// or smtps://',
      { SMTP_URL: 'http://mail.example.gov.uk' },
      /SMTP_URL must look like smtp:\/\//,
    ],
    ['a MAIL_FROM that is not an address', { MAIL_FROM: 'Amber' }, /MAIL_FROM must be an e-mail address/],
    [
      'a PUBLIC_URL that is not http(s)',
      { PUBLIC_URL: 'amber.example.gov.uk' },
      /PUBLIC_URL must be the http:\/\/ or https:\/\/ address/,
    ],
    [
      'SMTP in production without MAIL_FROM or PUBLIC_URL',
      { NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.gov.uk' },
      /MAIL_FROM must be set when SMTP_URL is[\s\S]*PUBLIC_URL must be set when SMTP_URL is/,
    ],
  ];
  for (const [what, vars, message] of refused) {
    it(`refuses ${what}, naming the variable`, () => {
      assert.throws(
        () => loadConfig(env(vars)),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }
});

describe('the log mailer (no SMTP_URL)', () => {
  it('writes each e-mail to the log, with its body outside production', async () => {
    const lines: string[] = [];
    const logger = { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(`WARN ${l}`) };
    const mailer = createMailer({ smtpUrl: undefined, mailFrom: 'x@y.z', env: 'development' }, logger);
    await mailer.send({
      to: ['olive@example.gov.uk'],
      subject: 'Reset your password',
      text: 'Open http://localhost:3000/password/reset/abc',
    });
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      /E-mail not sent \(SMTP_URL is not set\) to olive@example\.gov\.uk: "Reset your password"\nOpen http:\/\/localhost:3000\/password\/reset\/abc/,
    );
  });

  it('leaves the body (which may hold a sign-in link) out of the log in production, and warns at start', async () => {
    const lines: string[] = [];
    const mailer = createMailer(
      { smtpUrl: undefined, mailFrom: 'x@y.z', env: 'production' },
      { info: (l) => lines.push(l), warn: (l) => lines.push(`WARN ${l}`) },
    );
    await mailer.send({ to: ['olive@example.gov.uk'], subject: 'Reset your password', text: 'secret link' });
    assert.match(lines[0]!, /^WARN SMTP_URL is not set/);
    assert.doesNotMatch(lines.join('\n'), /secret link/);
  });

  it('refuses a subject with a line break (header injection)', async () => {
    const mailer = createLogMailer({ info: () => {}, warn: () => {} });
    await assert.rejects(mailer.send({ to: ['a@b.c'], subject: 'Hi\r\nBcc: x@evil.example', text: '' }), MailError);
    await assert.rejects(mailer.send({ to: [], subject: 'Hi', text: '' }), MailError);
  });
});

describe('the SMTP mailer', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startTestSmtpServer();
  });
  after(async () => {
    await smtp.close();
  });

  it('delivers to every recipient with the sender, subject and plain text', async () => {
    const mailer = createMailer(
      {
        smtpUrl: smtp.url.replace('smtp://', 'smtp://user:pa%20ss@'),
        mailFrom: 'Amber <amber@example.gov.uk>',
        env: 'production',
      },
      { info: () => {}, warn: () => {} },
    );
    assert.match(mailer.description, /^SMTP 127\.0\.0\.1:\d+$/);
    await mailer.send({
      to: ['one@example.gov.uk', 'two@example.gov.uk'],
      subject: 'You have been invited to Amber',
      text: 'Accept the invitation:\nhttp://localhost:3000/invitations/xyz\n',
    });
    mailer.close();
    const [m] = await smtp.waitFor(1);
    assert.deepEqual(m!.to, ['one@example.gov.uk', 'two@example.gov.uk']);
    assert.equal(m!.envelopeFrom, 'amber@example.gov.uk');
    assert.equal(m!.subject, 'You have been invited to Amber');
    assert.deepEqual(m!.links, ['http://localhost:3000/invitations/xyz']);
  });

  it('sends a queued e-mail again when the server refuses it for a moment, and fails the job with the reason when it keeps refusing', async () => {
    const mailer = createSmtpMailer({ url: smtp.url, from: 'amber@example.gov.uk' });
    const job = {
      id: 'j',
      organisationId: 'o',
      kind: MAIL_JOB,
      input: { to: ['retry@example.gov.uk'], subject: 'Retried', text: 'Hello' },
    } as unknown as Job;
    const progress: string[] = [];
    const ctx: JobContext = {
      job,
      progress: async (_p, m) => {
        progress.push(m ?? '');
      },
      storeFile: async () => {
        throw new Error('no files');
      },
    };
    const before = smtp.messages.length;
    smtp.refuseNext(1);
    assert.equal(await mailJobHandler(mailer, { retryDelaysMs: [10] })(ctx), 'Sent to 1 recipient');
    assert.equal(smtp.messages.length, before + 1);
    assert.equal(progress.length, 1);
    assert.match(progress[0]!, /Sending failed .*451.*trying again/);

    smtp.refuseNext(2);
    await assert.rejects(
      mailJobHandler(mailer, { retryDelaysMs: [10] })(ctx),
      /The e-mail could not be sent after 2 tries: .*451/,
    );
    assert.equal(smtp.messages.length, before + 1);
    smtp.refuseNext(0);
    mailer.close();
  });

  it('fails a job whose input is not an e-mail', async () => {
    const ctx = { job: { input: { to: 'not-a-list' } } } as unknown as JobContext;
    await assert.rejects(mailJobHandler(createLogMailer({ info: () => {}, warn: () => {} }))(ctx), /incomplete/);
  });
});
