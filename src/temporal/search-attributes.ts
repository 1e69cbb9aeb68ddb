// Workflow-safe: search attribute keys shared by the client, the workflows and the dev-server launcher.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ACCOUNT_ID = defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD);
export const ENTITY_KIND = defineSearchAttributeKey('EntityKind', SearchAttributeType.KEYWORD);
export const ENTITY_STATUS = defineSearchAttributeKey('EntityStatus', SearchAttributeType.KEYWORD);
export const ORGANIZATION_ID = defineSearchAttributeKey('OrganizationId', SearchAttributeType.KEYWORD);
export const DOMAIN_NAME = defineSearchAttributeKey('DomainName', SearchAttributeType.KEYWORD);

/** A domain held up by something someone must fix (a CA-side fault, or the customer's DNS): operators filter on it. */
export const NEEDS_ATTENTION = defineSearchAttributeKey('NeedsAttention', SearchAttributeType.BOOL);

export const SEARCH_ATTRIBUTES = [ACCOUNT_ID, ENTITY_KIND, ENTITY_STATUS, ORGANIZATION_ID, DOMAIN_NAME, NEEDS_ATTENTION];

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
