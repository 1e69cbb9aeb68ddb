/**
 * A burst of creates from a process of its own, as a customer's import would come from a machine other
 * than the reviewer's: `decision_p99_under_burst` times its decisions in the bench's process, and an event
 * loop also busy with 32 creates at once would add its own delays to them (up to 45 ms measured).
 *
 * `node --import tsx bench/support/burst-client.ts` reads a BurstJob as one line of JSON on stdin, prints
 * `started` when its first request goes out, then one line of JSON with the created organizations' ids, in
 * creation order; it exits non-zero with the reason on stderr at the first create that fails, and at once
 * when its stdin closes (its parent stopped it, or went away).
 */
import { httpCallers } from '../../test/support/http-caller';
import { createOrganizationAsClient } from './stack';
import { pool } from './stats';

export interface BurstJob {
  /** The API processes' base URLs, used in turn. */
  urls: string[];
  /** One account per client: its API key and id. */
  customers: Array<{ key: string; id: string }>;
  /** The first create's serial number (the organizations' names and Idempotency-Keys). */
  first: number;
  count: number;
  /** Creates per account, one after another (the first carries the administrator). */
  perAccount: number;
  /** Accounts sending at once. */
  concurrency: number;
}

async function burst(job: BurstJob): Promise<string[]> {
  const caller = httpCallers(job.urls, { checkContract: false });
  const customers = job.customers.map(({ key, id }) => caller(key, id));
  console.log('started');
  const perAccount = await pool(customers, job.concurrency, async (customer, a) => {
    const ids: string[] = [];
    for (let i = 0; i < Math.min(job.perAccount, job.count - a * job.perAccount); i++) {
      ids.push(await createOrganizationAsClient(customer, job.first + a * job.perAccount + i, i === 0));
    }
    return ids;
  });
  return perAccount.flat();
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  const first = !input.includes('\n');
  input += chunk;
  if (!first || !input.includes('\n')) return;
  burst(JSON.parse(input.slice(0, input.indexOf('\n'))) as BurstJob).then(
    // Exit once written: a pipe takes its data asynchronously, and 2,000 ids outgrow its buffer.
    (ids) => process.stdout.write(`${JSON.stringify(ids)}\n`, () => process.exit(0)),
    (error: unknown) => process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`, () => process.exit(1)),
  );
});
process.stdin.on('end', () => process.exit(1));
