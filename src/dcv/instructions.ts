/**
 * Exact customer instructions for each DCV method: which record or file, with which value.
 * Pure: the random value and ids come from the caller.
 */
import { createHash, createHmac } from 'node:crypto';
import { publicUrlConcern } from './public-url';

export const DCV_METHODS = ['dns_cname', 'file_proxy', 'dns_provider', 'dns_txt', 'file'] as const;
export type DcvMethod = (typeof DCV_METHODS)[number];

/** BR section each method relies on (recorded with the BR version for every validation, BR §3.2.2.4). */
export type BrMethodSection = '3.2.2.4.7' | '3.2.2.4.18';

export const BR_METHOD_SECTION: Record<DcvMethod, BrMethodSection> = {
  dns_cname: '3.2.2.4.7',
  dns_provider: '3.2.2.4.7',
  dns_txt: '3.2.2.4.7',
  file_proxy: '3.2.2.4.18',
  file: '3.2.2.4.18',
};

/** Methods the service keeps passing on its own once the customer has set them up. */
export const AUTOMATIC_METHODS: ReadonlySet<DcvMethod> = new Set(['dns_cname', 'file_proxy']);

export const DNS_LABEL = '_dnsauth';
export const FILE_PATH_PREFIX = '/.well-known/pki-validation/';
export const FILE_NAME = 'fileauth.txt';
/** The shape of every delegation label: 32 base32 characters (see `delegationLabel`). */
export const DELEGATION_LABEL = /^[a-z2-7]{32}$/;

export interface InstructionsConfig {
  /** Zone the service operates for CNAME delegation, e.g. `dcv.example-ca.com`. */
  delegationZone: string;
  /** Public base URL of the service that answers proxied file requests, e.g. `https://dcv.example-ca.com`. */
  publicUrl: string;
  /**
   * Optional secret mixed into delegation labels (HMAC), so labels cannot be derived from a
   * domain id even if ids are predictable.
   */
  delegationLabelSecret?: string;
}

export interface InstructionsInput {
  method: DcvMethod;
  /** Normalized domain name (A-labels, lowercase), may start with `*.`. */
  domain: string;
  /** Stable id of the domain object: the delegation label is derived from it. */
  domainId: string;
  randomValue: string;
  config: InstructionsConfig;
}

export interface DnsRecordInstruction {
  type: 'TXT' | 'CNAME';
  /** Owner name, fully qualified, no trailing dot. */
  name: string;
  value: string;
}

interface CommonInstructions {
  method: DcvMethod;
  brMethod: BrMethodSection;
  automatic: boolean;
  domain: string;
  /** The value the CA's check looks for. */
  randomValue: string;
  /** One short paragraph for the customer. */
  summary: string;
}

export type DcvInstructions =
  | (CommonInstructions & { method: 'dns_txt' | 'dns_provider'; record: DnsRecordInstruction })
  | (CommonInstructions & {
      method: 'dns_cname';
      record: DnsRecordInstruction;
      /** The TXT record the service itself keeps at the delegation target. */
      serviceRecord: DnsRecordInstruction;
    })
  | (CommonInstructions & { method: 'file'; file: { url: string; content: string } })
  | (CommonInstructions & {
      method: 'file_proxy';
      /** `warning`: DCV_PUBLIC_URL is an address the customer's proxy cannot reach (loopback, private). */
      proxy: { path: string; upstream: string; warning?: string };
      /** The file the CA will fetch, answered by the service through the proxy. */
      file: { url: string; content: string };
    });

export type InstructionsResult = { ok: true; instructions: DcvInstructions } | { ok: false; reason: string };

function baseNameOf(domain: string): { base: string; isWildcard: boolean } {
  let d = domain.trim().toLowerCase();
  if (d.endsWith('.')) d = d.slice(0, -1);
  return d.startsWith('*.') ? { base: d.slice(2), isWildcard: true } : { base: d, isWildcard: false };
}

function stripDots(zone: string): string {
  return zone
    .trim()
    .toLowerCase()
    .replace(/^\.+|\.+$/g, '');
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * The delegation label of one domain: 160 bits of a hash of its id, base32 (32 characters).
 * Unique per domain object (BR §3.2.2.4.7 wants a unique FQDN per Applicant) and unrelated to
 * the domain name, so one customer cannot point at another's target by guessing.
 */
export function delegationLabel(domainId: string, secret?: string): string {
  if (domainId.trim() === '') throw new Error('domainId is required for a delegation label');
  const digest = secret
    ? createHmac('sha256', secret).update(`dcv-delegation:${domainId}`).digest()
    : createHash('sha256').update(`dcv-delegation:${domainId}`).digest();
  return base32(digest.subarray(0, 20));
}

export function delegationTarget(domainId: string, config: InstructionsConfig): string {
  return `${delegationLabel(domainId, config.delegationLabelSecret)}.${stripDots(config.delegationZone)}`;
}

/**
 * The label a method puts in front of the base name for its record (`_dnsauth` for the DNS methods), or
 * undefined for the file methods, which use the name alone.
 */
export function validationLabelOf(method: DcvMethod): string | undefined {
  return BR_METHOD_SECTION[method] === '3.2.2.4.7' ? DNS_LABEL : undefined;
}

/** `_dnsauth.<base>`: wildcards are validated at their base name (BR §1.6.1 Authorization Domain Name). */
export function dnsRecordName(domain: string): string {
  return `${DNS_LABEL}.${baseNameOf(domain).base}`;
}

/** Where a customer's reverse proxy sends `/.well-known/pki-validation/`: the service's per-domain DCV path. */
export function proxyUpstream(domainId: string, config: InstructionsConfig): string {
  return `${config.publicUrl.replace(/\/+$/, '')}/dcv/${delegationLabel(domainId, config.delegationLabelSecret)}/`;
}

export function fileUrl(domain: string): string {
  return `http://${baseNameOf(domain).base}${FILE_PATH_PREFIX}${FILE_NAME}`;
}

export function buildInstructions(input: InstructionsInput): InstructionsResult {
  const { method, randomValue, config } = input;
  const { base, isWildcard } = baseNameOf(input.domain);
  const domain = isWildcard ? `*.${base}` : base;
  if (!randomValue) return { ok: false, reason: 'A random value is required.' };
  const common = {
    brMethod: BR_METHOD_SECTION[method],
    automatic: AUTOMATIC_METHODS.has(method),
    domain,
    randomValue,
  };
  const recordName = dnsRecordName(domain);

  switch (method) {
    case 'dns_txt':
      return {
        ok: true,
        instructions: {
          ...common,
          method,
          record: { type: 'TXT', name: recordName, value: randomValue },
          summary: `Add a TXT record "${recordName}" with the value "${randomValue}" at your DNS provider.`,
        },
      };
    case 'dns_provider':
      return {
        ok: true,
        instructions: {
          ...common,
          method,
          record: { type: 'TXT', name: recordName, value: randomValue },
          summary: `The service writes the TXT record "${recordName}" = "${randomValue}" through your DNS provider's API; nothing to do by hand.`,
        },
      };
    case 'dns_cname': {
      if (!config.delegationZone) return { ok: false, reason: 'The delegation zone is not configured.' };
      const target = delegationTarget(input.domainId, config);
      return {
        ok: true,
        instructions: {
          ...common,
          method,
          record: { type: 'CNAME', name: recordName, value: target },
          serviceRecord: { type: 'TXT', name: target, value: randomValue },
          summary: `Add a CNAME record "${recordName}" pointing to "${target}" once; the service keeps the value behind it up to date.`,
        },
      };
    }
    case 'file':
    case 'file_proxy': {
      // BR §3.2.2.4.18 Note: the file method proves only the exact FQDN, never a wildcard.
      if (isWildcard) return { ok: false, reason: 'File validation cannot be used for wildcard names; use a DNS method.' };
      const url = fileUrl(domain);
      if (method === 'file') {
        return {
          ok: true,
          instructions: {
            ...common,
            method,
            file: { url, content: randomValue },
            summary: `Serve the file ${url} with the content "${randomValue}" (plain text, HTTP status 200).`,
          },
        };
      }
      if (!config.publicUrl) return { ok: false, reason: 'The public URL of the service is not configured.' };
      // A path unique to the domain: proxies usually rewrite Host, so the path must say which domain asks.
      const upstream = proxyUpstream(input.domainId, config);
      const warning = publicUrlConcern(config.publicUrl);
      return {
        ok: true,
        instructions: {
          ...common,
          method,
          proxy: { path: FILE_PATH_PREFIX, upstream, ...(warning ? { warning } : {}) },
          file: { url, content: randomValue },
          summary:
            `Reverse-proxy "${FILE_PATH_PREFIX}" on http://${base} to "${upstream}" (the service's public address, DCV_PUBLIC_URL); the service answers the validation file itself.` +
            (warning ? ` Warning: ${warning}.` : ''),
        },
      };
    }
  }
}
