import { startProduction, type Production } from '../../test/faults/support/production';
import { startTemporalServer, type TemporalServer } from '../../test/faults/support/temporal';
import { createTestDatabase } from '../../test/support/database';

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

export const ORGANIZATION = {
  name: 'Acme Network Technology Co., Ltd.',
  country: 'CN',
  province: 'Beijing',
  city: 'Beijing',
  address: '1 Zhongguancun Street, Haidian District',
  landline: '010 6552 9988',
};

export const ADMINISTRATOR = { firstName: 'Lei', lastName: 'Li', position: 'CTO', phone: '138 0013 8000', email: 'li.lei@acme.cn' };

/** A distinct organization body; the first of an account carries its administrator. */
export function organizationBody(n: number, withAdministrator: boolean): Record<string, unknown> {
  return {
    organization: { ...ORGANIZATION, name: `Acme Network Technology ${n} Co., Ltd.` },
    ...(withAdministrator ? { administrator: { ...ADMINISTRATOR, email: `admin${n}@acme.cn` } } : {}),
  };
}
