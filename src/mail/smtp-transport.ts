import nodemailer from 'nodemailer';
import type { MailTransport } from './outbox.ts';

/** A nodemailer SMTP transport from `SMTP_URL` (smtp://user:pass@host:port or smtps://…). */
export function createSmtpTransport(smtpUrl: string): MailTransport & { close(): void } {
  const transporter = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      await transporter.sendMail(mail);
    },
    close: () => transporter.close(),
  };
}
