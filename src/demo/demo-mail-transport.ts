import type { MailTransport } from '../mail/outbox.ts';
import { DEMO_MAIL_DOMAIN } from './misskey-demo.ts';

/**
 * The demo's mail without SMTP: mail to the made-up people (…@demo.example.jp) is written to the terminal, so the
 * email code of a demo request can be typed in; mail to anyone else is refused and waits in the outbox for SMTP_URL.
 * Real addresses never reach the terminal.
 */
export function createDemoMailTransport(write: (text: string) => void): MailTransport {
  return {
    async send(mail) {
      if (!mail.to.toLowerCase().endsWith(`@${DEMO_MAIL_DOMAIN}`)) throw new Error('SMTP_URL is not set: mail outside the demo waits in the outbox');
      write(['', `--- demo mail to ${mail.to} (not sent; SMTP_URL is not set) ---`, `Subject: ${mail.subject}`, '', mail.text.trimEnd(), '--- end of demo mail ---', ''].join('\n'));
    },
  };
}
