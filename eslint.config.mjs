// Lint rules of the project (run by `npm test` through `npm run lint`). Models: the Temporal samples'
// hello-world/.eslintrc.js (no floating promises; workflow code imports no Node builtins).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '.tools/', 'coverage/', 'scratch/', 'bench/results/', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // An unawaited Temporal call or query is a bug: its failure is lost and its ordering undefined.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node builtins, no I/O libraries.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules.filter((m) => m !== 'assert'), ...builtinModules.map((m) => `node:${m}`)]
            .map((name) => ({ name, message: 'workflow code must be deterministic: no Node builtins' }))
            .concat(
              ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'pg', 'kysely', 'express'].map((name) => ({
                name,
                message: 'workflow code does no I/O',
              })),
            ),
        },
      ],
    },
  },
);
