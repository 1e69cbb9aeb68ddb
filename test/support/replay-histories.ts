/**
 * Replays exported histories (`temporal workflow show --output json`) against a workflow bundle.
 * Run as its own process: under jest's module registry the SDK's JSON history parser sees two copies
 * of protobufjs and fails ("type must be a Type").
 * Usage: tsx test/support/replay-histories.ts <bundle.js> <history.json>...
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';

async function main([bundle, ...files]: string[]): Promise<void> {
  // Nondeterminism surfaces as a thrown error; the replay worker's state changes are noise.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  for (const file of files) {
    const history = JSON.parse(readFileSync(file, 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: { codePath: bundle } }, history, path.basename(file));
    console.log(`replayed ${path.basename(file)}: ${history.events.length} events`);
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exit(1);
});
