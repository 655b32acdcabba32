// Sending e-mail. One interface, two implementations: SMTP (nodemailer) when SMTP_URL is set,
// otherwise a mailer that writes each e-mail to the log so that Amber works, and can be tried,
// without a mail server. Knows nothing of councils: callers write the message.
//
// Callers that must not lose an e-mail (reminders, workflow notices) do not call `send` in the
// request: they queue a `mail.send` job (./mail.job.ts), which survives restarts.

import type { Transporter } from 'nodemailer';
import type { Config } from '../../config.ts';

export interface MailMessage {
  /** One or more addresses; each gets the same message. */
  to: string[];
  subject: string;
  /** Plain text: the body every e-mail has. */
  text: string;
  html?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Closes pooled connections (SMTP); safe to call more than once. */
  close(): void;
  /** For start-up messages: "SMTP mail.example.org:587" or "the log (SMTP_URL is not set)". */
  readonly description: string;
  /**
   * False when e-mails only reach the log (no SMTP_URL): whoever relies on one (an invitation's
   * link) must then be told that none was sent. Unset means they are sent.
   */
  readonly delivers?: boolean;
}

/** What the mailer writes to: the app's logger (pino) or console both fit. */
export interface MailLogger {
  info(message: string): void;
  warn(message: string): void;
}

export class MailError extends Error {}

function check(message: MailMessage): void {
  if (message.to.length === 0) throw new MailError('An e-mail needs at least one recipient');
  // Header injection: a subject or address with a line break could add headers.
  for (const v of [message.subject, ...message.to])
    if (/[\r\n]/.test(v)) throw new MailError('An e-mail subject or address cannot contain a line break');
}

export function createSmtpMailer(options: { url: string; from: string }): Mailer {
  const url = new URL(options.url);
  const port = url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587;
  // nodemailer (~25 MB of a process's memory, ~0.15 s to load) is loaded with the first e-mail,
  // not when the server starts. Credentials are taken from the URL and never shown in messages.
  let transport: Promise<Transporter> | undefined;
  const connect = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: url.hostname,
        port,
        secure: url.protocol === 'smtps:',
        ...(url.username
          ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
          : {}),
        connectionTimeout: 20_000,
        greetingTimeout: 20_000,
        socketTimeout: 60_000,
      }),
    ));
  return {
    description: `SMTP ${url.hostname}:${port}`,
    delivers: true,
    async send(message) {
      check(message);
      await (
        await connect()
      ).sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
      });
    },
    close() {
      // A transport that never loaded (its send already failed and said so) has nothing to close.
      void transport?.then((t) => t.close()).catch(() => undefined);
    },
  };
}

/**
 * Writes each e-mail to the log instead of sending it. In production the body is left out: it
 * may hold a sign-in or password-reset link, and logs are not a place for those.
 */
export function createLogMailer(logger: MailLogger, options: { withBody?: boolean } = {}): Mailer {
  const withBody = options.withBody ?? true;
  return {
    description: 'the log (SMTP_URL is not set, so e-mails are not sent)',
    delivers: false,
    async send(message) {
      check(message);
      const body = withBody ? `\n${message.text}` : ' (body not logged in production)';
      logger.info(`E-mail not sent (SMTP_URL is not set) to ${message.to.join(', ')}: "${message.subject}"${body}`);
    },
    close() {
      /* nothing to close */
    },
  };
}

/** The mailer the configuration asks for: SMTP when SMTP_URL is set, else the log. */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'env'>, logger: MailLogger): Mailer {
  if (config.smtpUrl) return createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom });
  if (config.env === 'production')
    logger.warn(
      'SMTP_URL is not set: Amber will not send e-mails (reminders, sign-off notices, password resets); it writes them to the log instead.',
    );
  return createLogMailer(logger, { withBody: config.env !== 'production' });
}
