// Lints an OpenAPI document (JSON on stdin) with Redocly's `recommended` ruleset and prints the problems
// as JSON. A separate process because @redocly/openapi-core is an ES module, which Jest's CommonJS
// runtime cannot load (test/unit/openapi-lint.test.ts runs it).
import { createConfig, lintFromString } from '@redocly/openapi-core';

let source = '';
for await (const chunk of process.stdin) source += chunk;
const config = await createConfig({ extends: ['recommended'] });
const problems = await lintFromString({ source, absoluteRef: 'openapi.json', config });
process.stdout.write(
  JSON.stringify(
    problems.map((p) => ({ rule: p.ruleId, severity: p.severity, message: p.message, at: p.location.map((l) => l.pointer).join(' ') })),
    null,
    1,
  ),
);
