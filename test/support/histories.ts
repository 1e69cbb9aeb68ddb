import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatCodecKeys } from '../../src/temporal/codec-keys';
import type { CodecKey } from '../../src/temporal/payload-codec';

/** The committed histories that guard workflows already running in production. */
export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'histories');

/**
 * Exports a workflow's history in the operators' format (`temporal workflow show --output json`) to a
 * temporary `<name>.json`; with RECORD_HISTORIES=1 it also refreshes the committed fixture of that name.
 */
export function exportHistory(workflowId: string, name: string): string {
  const json = execFileSync(process.env.TEST_TEMPORAL_CLI!, [
    'workflow',
    'show',
    '--address',
    process.env.TEST_TEMPORAL_ADDRESS!,
    '-w',
    workflowId,
    '--output',
    'json',
  ]);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cps-history-')), `${name}.json`);
  writeFileSync(file, json);
  if (process.env.RECORD_HISTORIES === '1') writeFileSync(path.join(FIXTURES, `${name}.json`), json);
  return file;
}

/**
 * Replays history files against this run's workflow bundle, in a process of their own (see
 * replay-histories.ts), through the service's payload codec with `codecKeys` (payloads that are not
 * encrypted, as in histories recorded before encryption, pass through); throws on nondeterminism.
 * Returns one line per file: "replayed <file>: <n> events".
 */
export function replayHistories(files: string[], codecKeys: readonly CodecKey[]): string[] {
  const output = execFileSync(
    process.execPath,
    [require.resolve('tsx/cli'), path.join(__dirname, 'replay-histories.ts'), process.env.TEST_WORKFLOW_BUNDLE!, ...files],
    {
      encoding: 'utf8',
      env: { ...process.env, TEMPORAL_CODEC_KEYS: formatCodecKeys(codecKeys) },
    },
  );
  return output.trim().split('\n');
}
