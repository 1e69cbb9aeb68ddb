import { type Caller, startProduction, type Production } from '../../test/faults/support/production';
import { startTemporalServer, type TemporalServer } from '../../test/faults/support/temporal';
import { createTestDatabase } from '../../test/support/database';
import { ADMINISTRATOR, ORGANIZATION } from '../../test/support/harness';

/** The production shape the figures run against: its own database on the machine's PostgreSQL, its own Temporal dev server, `npm run api` ×apis + `npm run worker`. */
export interface Stack {
  service: Production;
  temporal: TemporalServer;
  stop(): Promise<void>;
}

export async function startStack(options: { apis?: number; env?: Record<string, string> } = {}): Promise<Stack> {
  const [database, temporal] = await Promise.all([createTestDatabase(), startTemporalServer()]);
  const service = await startProduction({
    databaseUrl: database.url,
    temporalAddress: temporal.address,
    apis: options.apis ?? 2,
    // The tests judge the answers; here the judging would take CPU from the processes measured.
    checkContract: false,
    env: { REQUEST_DEADLINE: '20s', LOG_LEVEL: 'ERROR', ...options.env },
  });
  return {
    service,
    temporal,
    async stop() {
      await service.stop();
      await temporal.destroy();
      await database.drop();
    },
  };
}

/** A distinct organization body; the first of an account carries its administrator. */
export function organizationBody(n: number, withAdministrator: boolean): Record<string, unknown> {
  return {
    organization: { ...ORGANIZATION, name: `Acme Network Technology ${n} Co., Ltd.` },
    ...(withAdministrator ? { administrator: { ...ADMINISTRATOR, email: `admin${n}@acme.cn` } } : {}),
  };
}

/**
 * POST /v1/organizations as a well-behaved client: a 503 (the bulk lane stayed full until the deadline)
 * is retried after its Retry-After with the same Idempotency-Key. Returns the created organization's id.
 */
export async function createOrganizationAsClient(customer: Caller, n: number, withAdministrator: boolean): Promise<string> {
  const headers = { 'idempotency-key': `bench-${n}` };
  for (;;) {
    const answer = await customer.request('POST', '/v1/organizations', organizationBody(n, withAdministrator), { headers });
    if (answer.status === 201) return answer.body.id;
    if (answer.status !== 503) throw new Error(`create answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    await new Promise((r) => setTimeout(r, Number(answer.headers.get('retry-after') ?? 1) * 1000));
  }
}
