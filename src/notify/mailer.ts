import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { NotifyConfig } from './config';

export interface OutgoingEmail {
  /** The message's row id: its Message-ID and, without SMTP, its file name. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  language: string;
}

/** What the mail server said (or where the message was written). */
export interface Sent {
  response: string;
}

/** The mail server refused the message for good (a 5xx answer, or the recipient rejected): not retried. */
export class EmailRefused extends Error {
  constructor(
    message: string,
    readonly response: string,
  ) {
    super(message);
    this.name = 'EmailRefused';
  }
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<Sent>;
}

/**
 * Sends through SMTP_URL with nodemailer (bounded connection, greeting and socket timeouts); without it
 * (the embedded default) writes each message as `<id>.eml` to the outbox folder under DATA_DIR, and says
 * where in the log with the first one. The same Message-ID on every attempt of a message, so a receiver can drop a resend.
 */
export function mailerOf(config: NotifyConfig['email'], log: (line: string) => void): Mailer {
  const transport = config.smtpUrl
    ? nodemailer.createTransport({ url: config.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as never)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const domain = /@([^>\s]+)>?\s*$/.exec(config.from)?.[1] ?? 'certificate-profiles.invalid';
  let told = false;
  return {
    async send(email) {
      let info: { response?: string; message?: unknown; rejected?: unknown[] };
      try {
        info = await transport.sendMail({
          from: config.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: `<email-${email.id}@${domain}>`,
          headers: { 'Content-Language': email.language },
        });
      } catch (error) {
        const { responseCode, response } = error as { responseCode?: number; response?: string };
        if (responseCode !== undefined && responseCode >= 500) throw new EmailRefused((error as Error).message, response ?? String(responseCode));
        throw error;
      }
      if (info.rejected?.length) throw new EmailRefused('the mail server refused the recipient', info.response ?? 'rejected');
      if (config.smtpUrl) return { response: info.response ?? '' };
      mkdirSync(config.outboxDir, { recursive: true });
      const file = path.join(config.outboxDir, `${email.id}.eml`);
      writeFileSync(file, info.message as Buffer);
      if (!told) log(`emails are written to ${config.outboxDir} as <id>.eml (SMTP_URL is not set)`);
      told = true;
      return { response: `written to ${file}` };
    },
  };
}
