import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { chromium, type Browser } from 'playwright-core';
import { createSmtpTransport } from '../../src/mail/smtp-transport.ts';
import type { MailTransport } from '../../src/mail/outbox.ts';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
}

/** A real SMTP server on a free port that keeps every mail it receives, parsed. */
export async function startMailbox(): Promise<{ url: string; mails: ReceivedMail[]; transport: MailTransport; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: parsed.subject ?? '', text: parsed.text ?? '' });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `smtp://127.0.0.1:${port}`;
  return { url, mails, transport: createSmtpTransport(url), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The last mail to an address whose subject matches. */
export function lastMail(mails: ReceivedMail[], to: string, subject?: RegExp): ReceivedMail | undefined {
  return mails.filter((m) => m.to.includes(to) && (!subject || subject.test(m.subject))).at(-1);
}
