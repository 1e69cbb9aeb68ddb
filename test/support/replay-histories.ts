/**
 * Replays exported histories (`temporal workflow show --output json`) against a workflow bundle.
 * Run as its own process: under jest's module registry the SDK's JSON history parser sees two copies
 * of protobufjs and fails ("type must be a Type").
 * Usage: TEMPORAL_CODEC_KEYS=id=base64key[,...] tsx test/support/replay-histories.ts <bundle.js> <history.json>...
 * Payloads are opened with the service's codec and those keys, as the worker opens them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { parseCodecKeys } from '../../src/temporal/codec-keys';
import { dataConverterOf, EncryptionCodec } from '../../src/temporal/payload-codec';

async function main([bundle, ...files]: string[]): Promise<void> {
  // Nondeterminism surfaces as a thrown error; the replay worker's state changes are noise.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dataConverter = dataConverterOf(new EncryptionCodec(parseCodecKeys(process.env.TEMPORAL_CODEC_KEYS)));
  for (const file of files) {
    const history = JSON.parse(readFileSync(file, 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: { codePath: bundle }, dataConverter }, history, path.basename(file));
    console.log(`replayed ${path.basename(file)}: ${history.events.length} events`);
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exit(1);
});
