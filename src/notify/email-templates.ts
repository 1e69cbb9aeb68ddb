// The emails' words, in English and Simplified Chinese, rendered with nunjucks (as the console's pages): the
// text part without escaping (it is plain text), the HTML part through a layout that escapes every value.
import nunjucks from 'nunjucks';
import type { EmailLanguage } from '../db/schema';

export type EmailTemplate = 'approved' | 'rejected' | 'expiring' | 'needs_attention' | 'review.submitted' | 'review.overdue' | 'webhook.disabled';

/** What a template may name: the object, and what the event says about it. */
export interface EmailFacts {
  kind: 'organization' | 'administrator' | 'domain' | 'webhook';
  id: string;
  name: string;
  accountId: string;
  reason?: string | null;
  /** `YYYY-MM-DD HH:mm` UTC. */
  validUntil?: string | null;
  daysLeft?: number | null;
  dueAt?: string | null;
}

const KIND_LABELS: Record<EmailLanguage, Record<EmailFacts['kind'], string>> = {
  en: { organization: 'organization', administrator: 'administrator', domain: 'domain', webhook: 'webhook endpoint' },
  'zh-CN': { organization: '组织', administrator: '管理员', domain: '域名', webhook: 'Webhook 端点' },
};

/** Subject and text of each template; blank lines separate paragraphs. */
const SOURCES: Record<EmailTemplate, Record<EmailLanguage, { subject: string; text: string }>> = {
  approved: {
    en: {
      subject: 'Approved: {{kindLabel}} {{name}}',
      text: 'The certificate authority approved the {{kindLabel}} {{name}}.\n\nIt can be used in certificate applications until {{validUntil}} (UTC).\n\nReference: {{kind}} {{id}}',
    },
    'zh-CN': {
      subject: '审核通过：{{kindLabel}}“{{name}}”',
      text: '证书颁发机构已审核通过{{kindLabel}}“{{name}}”。\n\n在 {{validUntil}}（UTC）之前可用于证书申请。\n\n编号：{{kind}} {{id}}',
    },
  },
  rejected: {
    en: {
      subject: 'Rejected: {{kindLabel}} {{name}}',
      text: 'The certificate authority rejected the {{kindLabel}} {{name}}.\n\nReason: {{reason}}\n\nCorrect it and resubmit it for review (POST /v1/{{kind}}s/{{id}}/resubmit).',
    },
    'zh-CN': {
      subject: '审核未通过：{{kindLabel}}“{{name}}”',
      text: '证书颁发机构未通过{{kindLabel}}“{{name}}”的审核。\n\n原因：{{reason}}\n\n请修改后重新提交审核（POST /v1/{{kind}}s/{{id}}/resubmit）。',
    },
  },
  expiring: {
    en: {
      subject: 'Expires in {{daysLeft}} days: {{kindLabel}} {{name}}',
      text: 'The {% if isDomain %}validation{% else %}approval{% endif %} of the {{kindLabel}} {{name}} ends on {{validUntil}} (UTC), in {{daysLeft}} days.\n\n{% if isDomain %}Validate it again before then (POST /v1/domains/{{id}}/revalidate).{% else %}Resubmit it for review before then to keep using it in certificate applications (POST /v1/{{kind}}s/{{id}}/resubmit).{% endif %}',
    },
    'zh-CN': {
      subject: '{{daysLeft}} 天后到期：{{kindLabel}}“{{name}}”',
      text: '{{kindLabel}}“{{name}}”的{% if isDomain %}验证{% else %}审核{% endif %}将于 {{validUntil}}（UTC）到期，还剩 {{daysLeft}} 天。\n\n{% if isDomain %}请在此之前重新验证（POST /v1/domains/{{id}}/revalidate）。{% else %}请在此之前重新提交审核，以便继续用于证书申请（POST /v1/{{kind}}s/{{id}}/resubmit）。{% endif %}',
    },
  },
  needs_attention: {
    en: {
      subject: 'Needs attention: domain {{name}}',
      text: 'The validation of the domain {{name}} needs attention.\n\n{{reason}}\n\nDetails: GET /v1/domains/{{id}}',
    },
    'zh-CN': {
      subject: '需要处理：域名 {{name}}',
      text: '域名 {{name}} 的验证需要处理。\n\n{{reason}}\n\n详情：GET /v1/domains/{{id}}',
    },
  },
  'review.submitted': {
    en: {
      subject: 'To review: {{kindLabel}} {{name}}',
      text: 'A {{kindLabel}} was submitted for review: {{name}} (account {{accountId}}).\n\nDue: {{dueAt}} (UTC).\n\nReview queue: GET /v1/reviews?status=pending',
    },
    'zh-CN': {
      subject: '待审核：{{kindLabel}}“{{name}}”',
      text: '有新的{{kindLabel}}提交审核：“{{name}}”（账户 {{accountId}}）。\n\n截止时间：{{dueAt}}（UTC）。\n\n审核队列：GET /v1/reviews?status=pending',
    },
  },
  'review.overdue': {
    en: {
      subject: 'Overdue review: {{kindLabel}} {{name}}',
      text: 'The review of the {{kindLabel}} {{name}} (account {{accountId}}) is past its due time, {{dueAt}} (UTC).\n\nReview queue: GET /v1/reviews?status=pending',
    },
    'zh-CN': {
      subject: '审核已逾期：{{kindLabel}}“{{name}}”',
      text: '{{kindLabel}}“{{name}}”（账户 {{accountId}}）的审核已超过截止时间 {{dueAt}}（UTC）。\n\n审核队列：GET /v1/reviews?status=pending',
    },
  },
  'webhook.disabled': {
    en: {
      subject: 'Webhook disabled: {{name}}',
      text: 'The service disabled the webhook endpoint {{name}}.\n\nReason: {{reason}}\n\nFix the endpoint, enable it again (PATCH /v1/webhooks/{{id}} with "enabled": true) and redeliver what it missed from GET /v1/events.',
    },
    'zh-CN': {
      subject: 'Webhook 已停用：{{name}}',
      text: '服务已停用 Webhook 端点 {{name}}。\n\n原因：{{reason}}\n\n请修复端点后重新启用（PATCH /v1/webhooks/{{id}}，"enabled": true），并从 GET /v1/events 重新投递错过的事件。',
    },
  },
};

const FOOTER: Record<EmailLanguage, string> = {
  en: 'You receive this email as an administrator or notification contact of the account. Change the contacts with PUT /v1/notification-settings.',
  'zh-CN': '您作为该账户的管理员或通知联系人收到此邮件。可通过 PUT /v1/notification-settings 修改联系人。',
};

/** Subjects and text parts: plain text, nothing escaped. */
const plain = new nunjucks.Environment(null, { autoescape: false });
/** The HTML part: every paragraph escaped (autoescape). */
const LAYOUT = nunjucks.compile(
  '<!doctype html>\n<html lang="{{ lang }}"><head><meta charset="utf-8"></head><body>\n{% for paragraph in paragraphs %}<p>{{ paragraph }}</p>\n{% endfor %}</body></html>\n',
  new nunjucks.Environment(null, { autoescape: true }),
);
const compiled = Object.fromEntries(
  Object.entries(SOURCES).map(([name, languages]) => [
    name,
    Object.fromEntries(
      Object.entries(languages).map(([language, source]) => [
        language,
        { subject: nunjucks.compile(source.subject, plain), text: nunjucks.compile(source.text, plain) },
      ]),
    ),
  ]),
) as Record<EmailTemplate, Record<EmailLanguage, { subject: nunjucks.Template; text: nunjucks.Template }>>;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** One email in one language. Values are inserted as they are into the text and escaped in the HTML. */
export function renderEmail(template: EmailTemplate, language: EmailLanguage, facts: EmailFacts): RenderedEmail {
  const context = { ...facts, kindLabel: KIND_LABELS[language][facts.kind], isDomain: facts.kind === 'domain' };
  const { subject, text } = compiled[template][language];
  const body = `${text.render(context)}\n\n${FOOTER[language]}`;
  return {
    subject: subject.render(context).replace(/\s+/g, ' ').trim(),
    text: `${body}\n`,
    html: LAYOUT.render({ lang: language, paragraphs: body.split(/\n\n+/) }),
  };
}
