import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { workflowIdFor } from '../../src/temporal/ids';
import { ACCOUNT_ID } from '../../src/temporal/search-attributes';
import {
  ADMINISTRATOR,
  approvedAdministrator,
  domainWatcher,
  eventually,
  fastTimings,
  ORGANIZATION,
  startHarness,
  type Api,
  type Harness,
} from '../support/harness';

/**
 * README "Operate it": every saved query of its table, as written there, run against the Temporal dev
 * server the way an operator pastes it into the UI or `temporal workflow list --query`. Only the example
 * values are swapped for this test's (the organization's word, its id, the account, the domain), since the
 * server is shared with the other test files. Each view must find this test's workflows it names.
 */
const README = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const SAVED = (() => {
  const section = README.slice(README.indexOf('Saved queries'));
  // The table's rows after its header and separator, up to the blank line that ends it.
  const rows = section
    .slice(section.indexOf('\n|') + 1)
    .split('\n\n')[0]
    .split('\n')
    .slice(2);
  return rows.map((row) => {
    const [view, query] = row
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim());
    return { view, queries: [...query.matchAll(/`([^`]+)`/g)].map((m) => m[1]) };
  });
})();

const WORD = `Savedquery${randomBytes(3).toString('hex')}`;
let harness: Harness;
let customer: Api;
let reviewer: Api;

beforeAll(async () => {
  // Reviews fall due after 2 s; the perspective (a resolver that refuses) makes every domain check a CA-side
  // fault, so a domain needs attention at its first recheck; its random value expires after 8 s: failed.
  harness = await startHarness({ timings: fastTimings({ reviewSla: '2s' }), env: { DCV_RETRY_SCHEDULE: '300ms', RANDOM_VALUE_LIFETIME: '8s' } });
  customer = await harness.customer();
  reviewer = await harness.reviewer();
});
afterAll(async () => harness?.stop());

/** The workflow ids `query` lists that belong to this test's account (the dev server holds every test file's). */
async function listed(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of harness.client.workflow.list({ query })) {
    if (execution.typedSearchAttributes.get(ACCOUNT_ID) === customer.id) ids.push(execution.workflowId);
  }
  return ids.sort();
}

test('the README names the saved views operators need', () => {
  expect(SAVED.map((s) => s.view)).toEqual(
    expect.arrayContaining(['reviewer backlog', 'overdue reviews', 'domains needing attention', "one organization's workflows"]),
  );
  for (const { queries } of SAVED) expect(queries.length).toBeGreaterThan(0);
});

test("every saved query of README, as written, finds this account's workflows it is meant for", async () => {
  const { organizationId, administratorId } = await approvedAdministrator(customer, reviewer, `${WORD} Technology Co., Ltd.`);
  const domainName = `${WORD.toLowerCase()}.example.com`;
  const domain = (await customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: domainName, autoValidation: false, method: 'dns' }))
    .body;
  const review = (
    await customer.request('POST', '/v1/organizations', {
      organization: { ...ORGANIZATION, name: 'Overdue Saved Query Co., Ltd.' },
      administrator: ADMINISTRATOR,
    })
  ).body;
  const under = [workflowIdFor('organization', review.id), workflowIdFor('administrator', review.administrators[0].id)].sort();
  const ours = [workflowIdFor('organization', organizationId), workflowIdFor('administrator', administratorId), workflowIdFor('domain', domain.id)].sort();
  const domainId = workflowIdFor('domain', domain.id);

  const run = (view: string) => {
    const saved = SAVED.find((s) => s.view === view);
    if (!saved) throw new Error(`README has no saved query "${view}"`);
    return saved.queries.map((query) =>
      query
        .replace('"Acme"', `"${WORD}"`)
        .replace('"<id>"', `"${organizationId}"`)
        .replace('"<accountId>"', `"${customer.id}"`)
        .replace('"www.example.com"', `"${domainName}"`),
    );
  };
  /** Each query of the view lists exactly `expected` of this account's workflows, once the server's index has caught up. */
  const finds = async (view: string, expected: string[]) => {
    for (const query of run(view)) {
      const found = await eventually(
        async () => {
          const ids = await listed(query);
          return JSON.stringify(ids) === JSON.stringify(expected) ? ids : undefined;
        },
        15_000,
        `${view}: ${query}`,
      ).catch(async () => listed(query));
      expect({ view, query, found }).toEqual({ view, query, found: expected });
    }
  };

  await domainWatcher(customer).until(domain.id, (d) => d.needsAttention === true, 'CA-side attention');
  await finds('domains needing attention', [domainId]);
  await finds('one domain', [domainId]);
  // The organization's workflows, by a word of its legal name or by its id: the domain's among them.
  await finds("one organization's workflows", ours);
  await finds('reviewer backlog', under);
  await finds("one account's reviews", under);
  await finds('overdue reviews', under);
  await domainWatcher(customer).until(domain.id, (d) => d.status === 'failed', 'random value expired', 20_000);
  await finds('terminal, by kind', [domainId]);
}, 90_000);
