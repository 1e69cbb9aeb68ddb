import { ENTITY_STATUS } from '../../../src/temporal/search-attributes';
import { workflowIdFor } from '../../../src/temporal/ids';
import { emailWorkflowId } from '../../../workflows/email-messages';
import { webhookWorkflowId } from '../../../workflows/webhook-messages';
import { eventually } from '../../support/harness';
import type { Production, TimedResponse } from './production';

/** An answer the suite recorded, with what it was for. */
export type RecordedAnswer = TimedResponse & { what: string };

/** Runs a case; when it fails, prints what the service's processes said. */
export function withServiceOutput(service: () => Production, fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (error) {
      for (const p of [...service().apis, service().worker]) console.log(`${p.name}:\n${p.output().slice(-4000)}`);
      throw error;
    }
  };
}

/** Every answer is 2xx/4xx, or 503 with Retry-After; with `maxMs`, none took longer. */
export function expectAnswersWellBehaved(answers: RecordedAnswer[], maxMs?: number): void {
  const bad = answers.filter((a) => !(a.status < 500 || (a.status === 503 && a.headers.get('retry-after'))));
  expect(bad.map((a) => `${a.what} → ${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
  if (maxMs === undefined) return;
  const slow = answers.filter((a) => a.ms > maxMs);
  expect(slow.map((a) => `${a.what} → ${a.status} after ${a.ms} ms`)).toEqual([]);
}

/**
 * No orphans (docs/architecture.md rule 3): every organization, administrator and domain row is marked started and
 * has a running workflow whose EntityStatus search attribute says what the row says, and no running
 * workflow of the service's task queue lacks its row (an entity's, an email message's or a webhook endpoint's). Polls until it holds (90 s).
 */
export async function expectNoOrphans(service: Production): Promise<void> {
  await eventually(
    async () => {
      const rows = [
        ...(await service.db.selectFrom('organizations').select(['id', 'status', 'workflow_started']).execute()).map((r) => ({
          ...r,
          kind: 'organization' as const,
        })),
        ...(await service.db.selectFrom('administrators').select(['id', 'status', 'workflow_started']).execute()).map((r) => ({
          ...r,
          kind: 'administrator' as const,
        })),
        ...(await service.db.selectFrom('domains').select(['id', 'status', 'workflow_started']).execute()).map((r) => ({ ...r, kind: 'domain' as const })),
      ];
      const mismatches: string[] = [];
      for (const row of rows) {
        if (!row.workflow_started) mismatches.push(`${row.kind} ${row.id}: not marked started`);
        const description = await service.client.workflow
          .getHandle(workflowIdFor(row.kind, row.id))
          .describe()
          .catch(() => undefined);
        if (!description) {
          mismatches.push(`${row.kind} ${row.id}: no workflow`);
          continue;
        }
        if (description.status.name !== 'RUNNING') mismatches.push(`${row.kind} ${row.id}: workflow ${description.status.name}`);
        const status = description.typedSearchAttributes.get(ENTITY_STATUS);
        if (status !== row.status) mismatches.push(`${row.kind} ${row.id}: row says ${row.status}, workflow ${status}`);
      }
      const workflowIds = new Set<string>();
      for await (const workflow of service.client.workflow.list({ query: `TaskQueue = '${service.taskQueue}' AND ExecutionStatus = 'Running'` }))
        workflowIds.add(workflow.workflowId);
      // Emails and webhook endpoints have workflows of their own on the same task queue, each with its row.
      const rowIds = new Set([
        ...rows.map((r) => workflowIdFor(r.kind, r.id)),
        ...(await service.db.selectFrom('email_messages').select('id').execute()).map((r) => emailWorkflowId(r.id)),
        ...(await service.db.selectFrom('webhook_endpoints').select('id').execute()).map((r) => webhookWorkflowId(r.id)),
      ]);
      for (const id of workflowIds) if (!rowIds.has(id)) mismatches.push(`${id}: running workflow without a row`);
      if (mismatches.length) throw new Error(mismatches.slice(0, 10).join('; '));
      return rows.length;
    },
    90_000,
    'rows and workflows to converge',
  );
}
