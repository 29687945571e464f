import nodemailer from 'nodemailer';
import type { MailTransport } from './outbox.ts';

/**
 * How long an SMTP server may keep one send waiting. nodemailer's own defaults (two minutes to connect, ten minutes of
 * silence) would hold the outbox on a dead server for longer than its 60-second lease; the outbox renews the lease
 * while a send lasts, and these bounds make sure a send does end.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 45_000 } as const;

/** A nodemailer SMTP transport from `SMTP_URL` (smtp://user:pass@host:port or smtps://…). */
export function createSmtpTransport(smtpUrl: string): MailTransport & { close(): void } {
  const transporter = nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS });
  return {
    async send(mail) {
      await transporter.sendMail(mail);
    },
    close: () => transporter.close(),
  };
}
