// Workflow-safe: search attribute keys shared by the client, the workflows and the dev-server launcher.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ACCOUNT_ID = defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD);
export const ENTITY_KIND = defineSearchAttributeKey('EntityKind', SearchAttributeType.KEYWORD);
export const ENTITY_STATUS = defineSearchAttributeKey('EntityStatus', SearchAttributeType.KEYWORD);
export const ORGANIZATION_ID = defineSearchAttributeKey('OrganizationId', SearchAttributeType.KEYWORD);
export const DOMAIN_NAME = defineSearchAttributeKey('DomainName', SearchAttributeType.KEYWORD);

/**
 * The organization's legal name (a company's registered name is not personal data), on the workflows of
 * the organization, its administrators and their domains; Text, so operators match words of it. Kept
 * current when the organization is renamed.
 */
export const ORGANIZATION_NAME = defineSearchAttributeKey('OrganizationName', SearchAttributeType.TEXT);

/**
 * Something someone must act on, so operators filter on it: a domain held up by a CA-side fault or the
 * customer's DNS; an organization or administrator whose review is past its due time.
 */
export const NEEDS_ATTENTION = defineSearchAttributeKey('NeedsAttention', SearchAttributeType.BOOL);

export const SEARCH_ATTRIBUTES = [ACCOUNT_ID, ENTITY_KIND, ENTITY_STATUS, ORGANIZATION_ID, DOMAIN_NAME, NEEDS_ATTENTION, ORGANIZATION_NAME];

/** One of the service's search attribute keys. */
export type ServiceSearchAttribute = (typeof SEARCH_ATTRIBUTES)[number];

/** Type names as the Temporal CLI and `temporal operator search-attribute create --type` spell them. */
export const SEARCH_ATTRIBUTE_TYPE_NAMES: Record<SearchAttributeType, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  DATETIME: 'Datetime',
  INT: 'Int',
  BOOL: 'Bool',
  DOUBLE: 'Double',
  KEYWORD_LIST: 'KeywordList',
};

/** `Name=Type`, as `temporal server start-dev --search-attribute` takes it. */
export const searchAttributeSpec = (key: ServiceSearchAttribute) => `${key.name}=${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]}`;
