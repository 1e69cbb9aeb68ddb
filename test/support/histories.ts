import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatCodecKeys } from '../../src/temporal/codec-keys';
import { type CodecKey, ENCRYPTED_ENCODING, EncryptionCodec } from '../../src/temporal/payload-codec';

/**
 * The committed histories that guard workflows already running in production. A workflow changed in a
 * way that needs a patch keeps its previous fixture under a dated name (`<name>-<yyyy-mm-dd>.json`).
 */
export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'histories');

/**
 * Exports a workflow's history in the operators' format (`temporal workflow show --output json`) to a
 * temporary `<name>.json`; with RECORD_HISTORIES=1 it also writes it to the fixtures as `<name>.json` (to be dated),
 * its payloads opened with `codecKeys` (a test's keys are random, so fixtures are kept in clear, which
 * the codec's decode passes through).
 */
export async function exportHistory(workflowId: string, name: string, codecKeys: readonly CodecKey[]): Promise<string> {
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
  if (process.env.RECORD_HISTORIES === '1') {
    const history = JSON.parse(json.toString('utf8'));
    await openPayloads(history, new EncryptionCodec(codecKeys));
    writeFileSync(path.join(FIXTURES, `${name}.json`), `${JSON.stringify(history, null, 2)}\n`);
  }
  return file;
}

const SEALED = Buffer.from(ENCRYPTED_ENCODING).toString('base64');

/** Replaces, in place, every sealed payload of a history in JSON form (base64 `metadata` values and `data`) by its clear payload. */
async function openPayloads(node: unknown, codec: EncryptionCodec): Promise<void> {
  if (Array.isArray(node)) {
    for (const item of node) await openPayloads(item, codec);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  const metadata = record.metadata as Record<string, string> | undefined;
  if (metadata?.encoding === SEALED && typeof record.data === 'string') {
    const sealed = {
      metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(record.data, 'base64'),
    };
    const [open] = await codec.decode([sealed]);
    record.metadata = Object.fromEntries(Object.entries(open.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    if (open.data?.length) record.data = Buffer.from(open.data).toString('base64');
    else delete record.data;
    return;
  }
  for (const value of Object.values(record)) await openPayloads(value, codec);
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
