import path from 'node:path';
import addressparser from 'nodemailer/lib/addressparser';
import { type AddressAllowance, parseAddressAllowance } from '../dcv/ssrf-guard';
import type { Duration } from '../domain/duration';
import { clockTimeSetting, durationListSetting, durationSetting, wholeNumberSetting } from '../setting-values';

/** Notifications (issue 11): the event outbox's dispatch, expiry notices, webhooks and email. Environment only. */
export interface NotifyConfig {
  /** EXPIRY_NOTICES: how long before an approval or validation ends customers are told (default `30d,7d`). */
  expiryNotices: Duration[];
  /** NOTICE_INTERVAL: how often a worker looks for expiry notices that are due (default `1h`). */
  noticeInterval: Duration;
  /** WEBHOOK_DISPATCH_INTERVAL: how often a worker hands new events to the webhooks and emails (default `1s`). */
  dispatchInterval: Duration;
  webhooks: {
    /**
     * WEBHOOK_RETRY_SCHEDULE: waits before each retry of a failed delivery (the Standard Webhooks
     * example: `5s,5m,30m,2h,5h,10h,14h,20h,24h`, about three days), each with up to 20 % jitter. A
     * delivery that fails them all disables its endpoint.
     */
    retrySchedule: Duration[];
    /** WEBHOOK_TIMEOUT: how long one attempt waits for the endpoint's answer (default `15s`). */
    timeout: Duration;
    /** WEBHOOK_SECRET_OVERLAP: how long a rotated-out secret still signs beside the new one (default `24h`). */
    secretOverlap: Duration;
    /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES, tests only: non-public addresses endpoints may use (none in production). */
    addressAllowance: AddressAllowance;
  };
  email: {
    /** SMTP_URL (`smtp://user:pass@host:587`, `smtps://…`); unset: messages are written as .eml files to `outboxDir`. */
    smtpUrl?: string;
    /** EMAIL_FROM: the sender (default `Certificate profiles <no-reply@certificate-profiles.invalid>`). */
    from: string;
    /** Where messages go without SMTP: `<DATA_DIR>/email-outbox`. */
    outboxDir: string;
    /** REVIEWER_EMAILS: the CA's reviewers (or their desk), told of new submissions and overdue reviews; none by default. */
    reviewerEmails: string[];
    /** REVIEWER_LANGUAGE: language of reviewers' emails, `en` or `zh-CN` (default `en`). */
    reviewerLanguage: 'en' | 'zh-CN';
    /** EMAIL_RETRY_INTERVAL: the first wait before a message is sent again after a temporary failure (default `30s`; doubling, at most an hour). */
    retryInterval: Duration;
    /** EMAIL_MAX_ATTEMPTS: attempts before a message is given up as failed (default 10, about 8 hours). */
    maxAttempts: number;
  };
}

/** Standard Webhooks suggests 15 to 30 s; longer holds an endpoint's queue and a worker's slot that long at each attempt. */
const MAX_WEBHOOK_TIMEOUT_MS = 300_000;

/** SMTP_URL as nodemailer reads it: smtp:// or smtps:// with a host. The error never repeats the URL's password. */
function smtpUrl(text: string | undefined): string | undefined {
  if (!text) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname) return text;
  if (url?.password) url.password = '***';
  const shown = url ? url.toString() : text.replace(/:[^:@/]*@/, ':***@');
  throw new Error(`SMTP_URL: "${shown}" is not an smtp:// or smtps:// URL with a host, e.g. smtp://user:pass@mail.example.com:587`);
}

/** A mailbox as the variables name one: local part, @, a dotted domain; no display name, no list. */
const isMailbox = (address: string) => /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(address);

/** REVIEWER_EMAILS: addresses (`desk@ca.example`), comma-separated; no display names. */
function reviewerEmails(text: string | undefined): string[] {
  const addresses = (text || '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = addresses.find((address) => !isMailbox(address));
  if (bad !== undefined) throw new Error(`REVIEWER_EMAILS: "${bad}" is not an email address (comma-separated addresses, e.g. desk@ca.example,lead@ca.example)`);
  return addresses;
}

const DEFAULT_FROM = 'Certificate profiles <no-reply@certificate-profiles.invalid>';

/** EMAIL_FROM: one RFC 5322 mailbox, with or without a display name (read by nodemailer's own address parser). */
function emailFrom(text: string | undefined): string {
  if (!text) return DEFAULT_FROM;
  const parsed = /[\r\n]/.test(text) ? [] : addressparser(text);
  const [mailbox] = parsed;
  if (parsed.length === 1 && mailbox.address && !mailbox.group && isMailbox(mailbox.address)) return text;
  throw new Error(`EMAIL_FROM: "${text.replace(/[\r\n]/g, ' ')}" is not one sender address, e.g. Certificate profiles <no-reply@ca.example>`);
}

export function loadNotifyConfig(env: NodeJS.ProcessEnv, dataDir: string): NotifyConfig {
  let addressAllowance: AddressAllowance;
  try {
    addressAllowance = parseAddressAllowance(env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES);
  } catch (error) {
    throw new Error(`WEBHOOK_ALLOW_PRIVATE_ADDRESSES: ${(error as Error).message}`, { cause: error });
  }
  const language = env.REVIEWER_LANGUAGE || 'en';
  if (language !== 'en' && language !== 'zh-CN') throw new Error(`REVIEWER_LANGUAGE: "${language}" is not en or zh-CN`);
  return {
    expiryNotices: durationListSetting(env, 'EXPIRY_NOTICES', '30d,7d'),
    noticeInterval: clockTimeSetting(env, 'NOTICE_INTERVAL', '1h'),
    dispatchInterval: clockTimeSetting(env, 'WEBHOOK_DISPATCH_INTERVAL', '1s'),
    webhooks: {
      retrySchedule: durationListSetting(env, 'WEBHOOK_RETRY_SCHEDULE', '5s,5m,30m,2h,5h,10h,14h,20h,24h'),
      timeout: clockTimeSetting(env, 'WEBHOOK_TIMEOUT', '15s', MAX_WEBHOOK_TIMEOUT_MS),
      // As a rotation's own previousSecretExpiresInSeconds: 0 (the old secret stops at once) up to 7 days.
      secretOverlap: durationSetting(env, 'WEBHOOK_SECRET_OVERLAP', '24h', { clock: true, zero: true, maxMs: 7 * 86_400_000 }),
      addressAllowance,
    },
    email: {
      smtpUrl: smtpUrl(env.SMTP_URL),
      from: emailFrom(env.EMAIL_FROM),
      outboxDir: path.join(dataDir, 'email-outbox'),
      reviewerEmails: reviewerEmails(env.REVIEWER_EMAILS),
      reviewerLanguage: language,
      retryInterval: clockTimeSetting(env, 'EMAIL_RETRY_INTERVAL', '30s'),
      maxAttempts: wholeNumberSetting(env, 'EMAIL_MAX_ATTEMPTS', 10, 100),
    },
  };
}
