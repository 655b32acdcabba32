// A real SMTP server for tests, on 127.0.0.1 with a free port: point Amber's SMTP_URL (or
// createSmtpMailer) at `url`, and read what arrived in `messages`, parsed as a mail client would.
//
//   const smtp = await startTestSmtpServer();
//   ... set SMTP_URL=smtp.url, do something that sends e-mail ...
//   const [m] = await smtp.waitFor(1);
//   assert.deepEqual(m.to, ['officer@example.org']);
//   await smtp.close();

import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  /** The envelope's sender and recipients (what the server was told, Bcc included). */
  envelopeFrom: string;
  to: string[];
  /** Headers and bodies as parsed by mailparser. */
  from: string;
  subject: string;
  text: string;
  html: string | undefined;
  /** Every http(s) link in the text body. */
  links: string[];
}

export interface TestSmtpServer {
  url: string;
  messages: ReceivedMessage[];
  /** Resolves with the messages once at least `count` have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  /** Refuses the next `n` messages with a temporary error (451), to test retries. */
  refuseNext(n: number): void;
  close(): Promise<void>;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedMessage[] = [];
  const waiters: (() => void)[] = [];
  let refuse = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Accept any credentials: tests check what is sent, not the server's security.
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' });
    },
    onData(stream, session, callback) {
      if (refuse > 0) {
        refuse--;
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream).then(
        (parsed) => {
          const text = parsed.text ?? '';
          const from = parsed.from?.text ?? '';
          messages.push({
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            from,
            subject: parsed.subject ?? '',
            text,
            html: typeof parsed.html === 'string' ? parsed.html : undefined,
            links: [...text.matchAll(/https?:\/\/[^\s<>)]+/g)].map((m) => m[0]),
          });
          for (const w of waiters.splice(0)) w();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refuseNext(n) {
      refuse = n;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(
            `Expected ${count} e-mail(s) at the test SMTP server, ${messages.length} arrived within ${timeoutMs} ms`,
          );
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 100));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return messages.slice();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
