/**
 * DNSPod client on its documented legacy API (https://dnsapi.cn, Record.List / Record.Create /
 * Record.Modify / Record.Remove): form-encoded POST, `login_token=<id>,<token>`, `format=json`,
 * success when `status.code === "1"`. Used by the "DNS provider" method. Like everything the service
 * contacts, the API's address goes through the address guard and the connection is pinned to it.
 */
import http from 'node:http';
import https from 'node:https';
import { BLOCKED_ADDRESS } from './fault-side';
import { AddressRefused, pinnedLookup, publicAddressOf } from './public-address';
import type { AddressAllowance } from './ssrf-guard';

export interface DnspodConfig {
  /** API token id and secret, joined as `login_token=<id>,<token>`. */
  tokenId: string;
  token: string;
  /** Default `https://dnsapi.cn`; tests point it at a local server. */
  baseUrl?: string;
  timeoutMs?: number;
  /** DNSPod asks clients to identify themselves: "name/version (contact)". */
  userAgent?: string;
  /** The address guard: the CA's resolvers for the API's host name, and the test-only allowance. */
  guard: { resolvers: string[]; allowance: AddressAllowance };
}

export interface DnspodRecord {
  id: string;
  name: string;
  type: string;
  value: string;
  line: string;
  ttl: number;
  enabled: boolean;
}

export class DnspodError extends Error {
  constructor(
    message: string,
    /** DNSPod `status.code`, or `HTTP_<status>` / `NETWORK` / `BAD_RESPONSE` / `BLOCKED_ADDRESS`. */
    readonly code: string,
  ) {
    super(message);
    this.name = 'DnspodError';
  }
}

export const DNSPOD_DEFAULT_LINE = '默认';
/** Lowest TTL on DNSPod's free plan. */
export const DNSPOD_DEFAULT_TTL = 600;
/** Record.List answers code "10" when the list is empty: not an error for us. */
const EMPTY_LIST_CODE = '10';

interface DnspodStatus {
  code: string;
  message?: string;
}

/** Answers larger than this are not read: a Record.List of one name is a few kilobytes. */
const MAX_ANSWER_BYTES = 1 << 20;

/**
 * One POST to the API, to the address the guard approved for the base URL's host (resolved once, the
 * connection pinned to it). Refused addresses throw `BLOCKED_ADDRESS`, unreachable ones `NETWORK`.
 */
async function post(config: DnspodConfig, url: URL, action: string, body: string): Promise<{ status: number; text: string }> {
  let address: string;
  try {
    address = await publicAddressOf(`the DNSPod API ${url.host}`, url.hostname, config.guard);
  } catch (err) {
    if (err instanceof AddressRefused) throw new DnspodError(`DNSPod ${action} was not sent: ${err.message}`, BLOCKED_ADDRESS);
    throw new DnspodError(`DNSPod ${action} could not be reached: ${(err as Error).message}`, 'NETWORK');
  }
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': Buffer.byteLength(body),
        Accept: 'application/json',
        'User-Agent': config.userAgent ?? 'certificate-profile-service/0.1 (dcv)',
      },
      agent: false,
      lookup: pinnedLookup(address, config.guard.allowance, `the DNSPod API ${url.host}`),
      signal: AbortSignal.timeout(config.timeoutMs ?? 15_000),
    });
    const fail = (err: Error) =>
      reject(
        err instanceof DnspodError
          ? err
          : err instanceof AddressRefused
            ? new DnspodError(`DNSPod ${action} was not sent: ${err.message}`, BLOCKED_ADDRESS)
            : new DnspodError(`DNSPod ${action} could not be reached: ${err.message}`, 'NETWORK'),
      );
    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) request.destroy(new DnspodError(`DNSPod ${action} answered more than ${MAX_ANSWER_BYTES} bytes.`, 'BAD_RESPONSE'));
        else chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.end(body);
  });
}

async function call(config: DnspodConfig, action: string, fields: Record<string, string>): Promise<Record<string, unknown>> {
  const base = (config.baseUrl ?? 'https://dnsapi.cn').replace(/\/+$/, '');
  const body = new URLSearchParams({ login_token: `${config.tokenId},${config.token}`, format: 'json', lang: 'en', ...fields });
  const response = await post(config, new URL(`${base}/${action}`), action, body.toString());
  if (response.status < 200 || response.status > 299) throw new DnspodError(`DNSPod ${action} answered HTTP ${response.status}.`, `HTTP_${response.status}`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(response.text) as Record<string, unknown>;
  } catch {
    throw new DnspodError(`DNSPod ${action} answered something that is not JSON.`, 'BAD_RESPONSE');
  }
  const status = json.status as DnspodStatus | undefined;
  if (!status || typeof status.code !== 'string') throw new DnspodError(`DNSPod ${action} answered without a status.`, 'BAD_RESPONSE');
  if (status.code !== '1' && !(action === 'Record.List' && status.code === EMPTY_LIST_CODE)) {
    throw new DnspodError(`DNSPod ${action} failed: ${status.message ?? 'no message'} (code ${status.code}).`, status.code);
  }
  return json;
}

function toRecord(raw: Record<string, unknown>): DnspodRecord {
  return {
    id: String(raw.id),
    name: String(raw.name),
    type: String(raw.type),
    value: String(raw.value),
    line: String(raw.line ?? ''),
    ttl: Number(raw.ttl ?? 0),
    enabled: raw.enabled === undefined ? true : String(raw.enabled) === '1',
  };
}

/** `_dnsauth.www.example.com` in zone `example.com` → `_dnsauth.www`; the apex is `@`. */
export function dnspodSubDomain(zone: string, fqdn: string): string {
  const z = zone.toLowerCase().replace(/\.$/, '');
  const n = fqdn.toLowerCase().replace(/\.$/, '');
  if (n === z) return '@';
  if (!n.endsWith(`.${z}`)) throw new DnspodError(`"${fqdn}" is not inside the domain "${zone}".`, 'NOTZONE');
  return n.slice(0, -(z.length + 1));
}

export async function listRecords(config: DnspodConfig, domain: string, subDomain: string, recordType?: string): Promise<DnspodRecord[]> {
  const json = await call(config, 'Record.List', {
    domain,
    sub_domain: subDomain,
    ...(recordType ? { record_type: recordType } : {}),
  });
  const records = Array.isArray(json.records) ? (json.records as Record<string, unknown>[]) : [];
  return records.map(toRecord);
}

export async function createRecord(
  config: DnspodConfig,
  domain: string,
  subDomain: string,
  recordType: string,
  value: string,
  ttl = DNSPOD_DEFAULT_TTL,
): Promise<string> {
  const json = await call(config, 'Record.Create', {
    domain,
    sub_domain: subDomain,
    record_type: recordType,
    record_line: DNSPOD_DEFAULT_LINE,
    value,
    ttl: String(ttl),
  });
  const record = json.record as { id?: unknown } | undefined;
  if (!record || record.id === undefined) throw new DnspodError('DNSPod Record.Create answered without a record id.', 'BAD_RESPONSE');
  return String(record.id);
}

export async function modifyRecord(
  config: DnspodConfig,
  domain: string,
  recordId: string,
  subDomain: string,
  recordType: string,
  value: string,
  ttl = DNSPOD_DEFAULT_TTL,
): Promise<void> {
  await call(config, 'Record.Modify', {
    domain,
    record_id: recordId,
    sub_domain: subDomain,
    record_type: recordType,
    record_line: DNSPOD_DEFAULT_LINE,
    value,
    ttl: String(ttl),
  });
}

export async function removeRecord(config: DnspodConfig, domain: string, recordId: string): Promise<void> {
  await call(config, 'Record.Remove', { domain, record_id: recordId });
}

/**
 * Publishes one TXT value at `subDomain` and keeps the others (another CA's, a sibling wildcard's).
 * The record holding `replacing`, a value published before, is modified in place; idempotent.
 */
export async function addTxtRecord(
  config: DnspodConfig,
  domain: string,
  subDomain: string,
  value: string,
  ttl = DNSPOD_DEFAULT_TTL,
  replacing?: string,
): Promise<string> {
  const existing = (await listRecords(config, domain, subDomain, 'TXT')).filter((r) => r.type === 'TXT' && r.name === subDomain);
  const current = existing.find((r) => r.value === value);
  const stale = replacing !== undefined && replacing !== value ? existing.find((r) => r.value === replacing) : undefined;
  if (current) {
    if (stale) await removeRecord(config, domain, stale.id);
    return current.id;
  }
  if (stale) {
    await modifyRecord(config, domain, stale.id, subDomain, 'TXT', value, ttl);
    return stale.id;
  }
  return createRecord(config, domain, subDomain, 'TXT', value, ttl);
}

/** Removes the TXT records at `subDomain` (only those with `value` when given). Returns how many. */
export async function deleteTxtRecords(config: DnspodConfig, domain: string, subDomain: string, value?: string): Promise<number> {
  const records = (await listRecords(config, domain, subDomain, 'TXT')).filter(
    (r) => r.type === 'TXT' && r.name === subDomain && (value === undefined || r.value === value),
  );
  for (const r of records) await removeRecord(config, domain, r.id);
  return records.length;
}
