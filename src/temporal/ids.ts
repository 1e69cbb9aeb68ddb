// Workflow-safe: imported by workflows, activities and the API alike.
import type { ProfileKind } from '../domain/status';

export type EntityKind = ProfileKind | 'domain';

/** Workflow IDs are business keys, so a start is idempotent and the UI is searchable by ID. */
export function workflowIdFor(kind: EntityKind, id: string): string {
  return `${kind}:${id}`;
}
