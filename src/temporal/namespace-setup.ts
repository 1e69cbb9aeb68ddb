import { type ConnectionLike, isGrpcServiceError } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
// The SDK's own mapping to the protobuf enum (what its test server uses to register attributes).
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { SEARCH_ATTRIBUTES, searchAttributeSpec, SEARCH_ATTRIBUTE_TYPE_NAMES, type ServiceSearchAttribute } from './search-attributes';

/** gRPC status codes (grpc/status.proto) that setup tells apart. */
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;

const hasCode = (error: unknown, code: number) => isGrpcServiceError(error) && error.code === code;

type Key = ServiceSearchAttribute;

/** What a namespace lacks for this service (`npm run setup` fixes the first two). */
export interface NamespaceGaps {
  /** The namespace does not exist. */
  namespaceMissing: boolean;
  /** The service's search attributes (src/temporal/search-attributes.ts) not registered in it. */
  missing: Key[];
  /** Registered under another type: no setup can change that, the attribute needs another name. */
  conflicting: Array<{ key: Key; registered: string }>;
}

/** No gaps: the namespace exists and holds every attribute with its type. */
export const complete = (gaps: NamespaceGaps) => !gaps.namespaceMissing && gaps.missing.length === 0 && gaps.conflicting.length === 0;

/** One line for people, e.g. `namespace default lacks search attributes AccountId (Keyword), NeedsAttention (Bool)`. */
export function describeGaps(namespace: string, gaps: NamespaceGaps): string {
  if (gaps.namespaceMissing) return `namespace ${namespace} does not exist`;
  const parts = [];
  if (gaps.missing.length) parts.push(`lacks search attributes ${gaps.missing.map(label).join(', ')}`);
  for (const { key, registered } of gaps.conflicting) parts.push(`holds ${key.name} as ${registered}, not ${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]}`);
  return `namespace ${namespace} ${parts.join('; ')}`;
}

const label = (key: Key) => `${key.name} (${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]})`;

/**
 * Compares the namespace with the service's search attributes (OperatorService.ListSearchAttributes).
 *
 * @throws the gRPC error when Temporal does not answer (the caller bounds the wait with `deadline`)
 */
export async function inspectNamespace(connection: ConnectionLike, namespace: string, deadline?: number): Promise<NamespaceGaps> {
  const call = <T>(fn: () => Promise<T>) => (deadline ? connection.withDeadline(deadline, fn) : fn());
  let registered: Record<string, unknown>;
  try {
    await call(() => connection.workflowService.describeNamespace({ namespace }));
    registered = (await call(() => connection.operatorService.listSearchAttributes({ namespace }))).customAttributes ?? {};
  } catch (error) {
    if (hasCode(error, NOT_FOUND)) return { namespaceMissing: true, missing: [...SEARCH_ATTRIBUTES], conflicting: [] };
    throw error;
  }
  const gaps: NamespaceGaps = { namespaceMissing: false, missing: [], conflicting: [] };
  for (const key of SEARCH_ATTRIBUTES) {
    const type = registered[key.name];
    if (type === undefined) gaps.missing.push(key);
    else if (type !== encodeSearchAttributeIndexedValueType(key.type)) gaps.conflicting.push({ key, registered: typeName(type) });
  }
  return gaps;
}

function typeName(indexedValueType: unknown): string {
  const type = (Object.keys(SEARCH_ATTRIBUTE_TYPE_NAMES) as SearchAttributeType[]).find((t) => encodeSearchAttributeIndexedValueType(t) === indexedValueType);
  return type ? SEARCH_ATTRIBUTE_TYPE_NAMES[type] : `type ${String(indexedValueType)}`;
}

/**
 * Creates the namespace when it does not exist (WorkflowService.RegisterNamespace), with `retentionMs`
 * for closed workflows. Another setup creating it meanwhile is fine.
 *
 * @returns true when this call created it
 */
export async function ensureNamespace(connection: ConnectionLike, namespace: string, retentionMs: number): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return false;
  } catch (error) {
    if (!hasCode(error, NOT_FOUND)) throw error;
  }
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(retentionMs) });
    return true;
  } catch (error) {
    if (hasCode(error, ALREADY_EXISTS)) return false;
    throw error;
  }
}

/**
 * Registers the service's search attributes the namespace lacks (OperatorService.AddSearchAttributes),
 * as Temporal's reference apps do at boot; registered ones are left alone, so it is idempotent. Returns
 * once the namespace lists them all, which is when workflows can use them: a namespace or attribute
 * added a moment ago reaches the frontends' namespace cache within seconds (NOT_FOUND until then).
 *
 * @returns the attributes this call added, as `Name=Type`
 * @throws Error naming an attribute registered under another type (it cannot be changed), or what is
 *   still missing after `timeoutMs`
 */
export async function registerSearchAttributes(connection: ConnectionLike, namespace: string, timeoutMs = 60_000): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  const added: string[] = [];
  for (;;) {
    const gaps = await inspectNamespace(connection, namespace);
    if (gaps.conflicting.length) {
      throw new Error(`${describeGaps(namespace, { ...gaps, missing: [] })}: give the attribute another name in src/temporal/search-attributes.ts`);
    }
    if (complete(gaps)) return added;
    const toAdd = gaps.missing.filter((key) => !added.includes(searchAttributeSpec(key)));
    if (!gaps.namespaceMissing && toAdd.length > 0) {
      try {
        const searchAttributes = Object.fromEntries(toAdd.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]));
        await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
        added.push(...toAdd.map(searchAttributeSpec));
      } catch (error) {
        // Not known to this frontend yet, or another setup added them meanwhile: look again.
        if (!hasCode(error, NOT_FOUND) && !hasCode(error, ALREADY_EXISTS)) throw error;
      }
    }
    if (Date.now() >= until) throw new Error(`${describeGaps(namespace, gaps)} ${timeoutMs / 1000} s after registering them`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
