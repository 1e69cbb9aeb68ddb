/**
 * A local stand-in for DNSPod's documented legacy API (https://dnsapi.cn), strict about what it
 * accepts: method POST, path /Record.*, Content-Type application/x-www-form-urlencoded, a
 * User-Agent, login_token, format=json, and the fields each action requires (record_line=默认 and
 * ttl on writes). There is no DNSPod to run locally; `onChange` lets a test mirror records into a
 * real DNS server, as DNSPod's own name servers would publish them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredRecord {
  id: string;
  domain: string;
  name: string;
  type: string;
  value: string;
  line: string;
  ttl: string;
}

export type RecordChange = { action: 'create' | 'remove'; record: StoredRecord };

export interface FakeDnspod {
  url: string;
  tokenId: string;
  token: string;
  records: StoredRecord[];
  /** Every well-formed request, in order. */
  seen: Array<{ action: string; fields: Record<string, string> }>;
  /** Requests that broke the documented protocol; a test expects none. */
  protocolErrors: string[];
  reset(): void;
  /** From now on the token is refused ("Login fail"), as after a customer revokes it; `restore` undoes it. */
  revokeToken(): void;
  restoreToken(): void;
  stop(): Promise<void>;
}

const REQUIRED: Record<string, string[]> = {
  'Record.List': ['domain'],
  'Record.Create': ['domain', 'sub_domain', 'record_type', 'record_line', 'value', 'ttl'],
  'Record.Modify': ['domain', 'record_id', 'sub_domain', 'record_type', 'record_line', 'value', 'ttl'],
  'Record.Remove': ['domain', 'record_id'],
};

const OK = { code: '1', message: 'Action completed successful' };

function reply(res: http.ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeDnspod(options: {
  tokenId: string;
  token: string;
  domains: string[];
  onChange?: (change: RecordChange) => Promise<void>;
}): Promise<FakeDnspod> {
  let nextId = 1000;
  let revoked = false;
  const state: Pick<FakeDnspod, 'records' | 'seen' | 'protocolErrors'> = { records: [], seen: [], protocolErrors: [] };
  const changed = async (change: RecordChange) => options.onChange?.(change);

  async function handle(action: string, fields: Record<string, string>, res: http.ServerResponse): Promise<void> {
    switch (action) {
      case 'Record.List': {
        const list = state.records.filter(
          (r) => r.domain === fields.domain && (!fields.sub_domain || r.name === fields.sub_domain) && (!fields.record_type || r.type === fields.record_type),
        );
        if (list.length === 0) return reply(res, { status: { code: '10', message: 'No records' } });
        return reply(res, {
          status: OK,
          records: list.map((r) => ({ id: r.id, name: r.name, type: r.type, value: r.value, line: r.line, ttl: r.ttl, enabled: '1' })),
        });
      }
      case 'Record.Create': {
        const record = {
          id: String(nextId++),
          domain: fields.domain,
          name: fields.sub_domain,
          type: fields.record_type,
          value: fields.value,
          line: fields.record_line,
          ttl: fields.ttl,
        };
        state.records.push(record);
        await changed({ action: 'create', record });
        return reply(res, { status: OK, record: { id: record.id, name: record.name, status: 'enabled' } });
      }
      case 'Record.Modify': {
        const record = state.records.find((r) => r.id === fields.record_id);
        if (!record) return reply(res, { status: { code: '8', message: 'Record id invalid' } });
        await changed({ action: 'remove', record: { ...record } });
        Object.assign(record, { name: fields.sub_domain, type: fields.record_type, value: fields.value, ttl: fields.ttl });
        await changed({ action: 'create', record });
        return reply(res, { status: OK, record: { id: record.id } });
      }
      case 'Record.Remove': {
        const record = state.records.find((r) => r.id === fields.record_id);
        if (!record) return reply(res, { status: { code: '8', message: 'Record id invalid' } });
        state.records.splice(state.records.indexOf(record), 1);
        await changed({ action: 'remove', record });
        return reply(res, { status: OK });
      }
    }
  }

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const action = (req.url ?? '').replace(/^\//, '');
      const problem = (message: string) => {
        state.protocolErrors.push(`${action}: ${message}`);
        reply(res, { status: { code: '-99', message } });
      };
      if (req.method !== 'POST') return problem(`method ${req.method}`);
      if (!(action in REQUIRED)) return reply(res, { error: 'not found' }, 404);
      if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') return problem(`content-type ${req.headers['content-type']}`);
      if (!req.headers['user-agent']) return problem('no User-Agent');
      const fields = Object.fromEntries(new URLSearchParams(raw));
      state.seen.push({ action, fields });
      if (fields.format !== 'json') return problem('format is not json');
      if (revoked || fields.login_token !== `${options.tokenId},${options.token}`)
        return reply(res, { status: { code: '-1', message: 'Login fail, please check login info' } });
      const missing = REQUIRED[action].filter((f) => !fields[f]);
      if (missing.length) return problem(`missing ${missing.join(',')}`);
      if (fields.record_line !== undefined && fields.record_line !== '默认') return problem(`record_line ${fields.record_line}`);
      if (!options.domains.includes(fields.domain)) return reply(res, { status: { code: '6', message: 'Domain id invalid' } });
      handle(action, fields, res).catch((error) => reply(res, { status: { code: '-98', message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tokenId: options.tokenId,
    token: options.token,
    get records() {
      return state.records;
    },
    seen: state.seen,
    protocolErrors: state.protocolErrors,
    reset() {
      state.records.length = 0;
      state.seen.length = 0;
    },
    revokeToken() {
      revoked = true;
    },
    restoreToken() {
      revoked = false;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
