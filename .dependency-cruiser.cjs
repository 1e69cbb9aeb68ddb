/**
 * Layering rules (docs/architecture.md rule 9), checked by `npm run lint` in `npm test`.
 * - Workflow code runs in Temporal's deterministic sandbox: it imports only workflow-safe modules.
 * - Pure rules (src/domain) import no I/O.
 * - Shared vocabulary lives below workflows/: other layers import from workflows/ only message definitions.
 */
const IO_PACKAGES = '^(pg|pg-[a-z-]+|kysely|express|@electric-sql/pglite|@temporalio/(client|worker|activity|testing)|dns-packet)$';

module.exports = {
  forbidden: [
    {
      name: 'workflow-code-is-workflow-safe',
      comment:
        'workflows/ may import workflows/, src/domain/, the Temporal ids, search attributes and request header, @temporalio/workflow|common and async-mutex (types from anywhere).',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        dependencyTypesNot: ['type-only'],
        pathNot: [
          '^workflows/',
          '^src/domain/',
          '^src/temporal/(ids|search-attributes|request-header)\\.ts$',
          '(^|/)node_modules/(@temporalio/(workflow|common)|async-mutex)/',
        ],
      },
    },
    {
      name: 'pure-rules-do-no-io',
      comment: 'src/domain/ holds pure rules: no database, network, file system, Temporal client or HTTP.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        dependencyTypesNot: ['type-only'],
        path: [
          '^(src/(db|api|temporal|notify|cli|console)|activities)/',
          '(^|/)node_modules/',
          '^(node:)?(fs|net|dns|http|https|http2|child_process|dgram|tls|worker_threads|cluster)$',
        ],
        pathNot: ['(^|/)node_modules/(zod|libphonenumber-js|tldts|ipaddr\\.js|iso-3166|cldr-subdivisions-full|smtp-address-parser|entities)/'],
      },
    },
    {
      name: 'vocabulary-below-workflows',
      comment: 'Only message definitions are imported from workflows/ by the layers below it.',
      severity: 'error',
      from: { path: '^(src/(domain|dcv|db|api)|activities)/' },
      to: { path: '^workflows/', pathNot: '^workflows/(messages|domain-messages|webhook-messages|email-messages)\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|data|\\.tools|scratch|coverage)/' },
  },
};
