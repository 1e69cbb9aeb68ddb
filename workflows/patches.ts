// Workflow-safe: one patch marker per run for patches that have accumulated.
import { patched } from '@temporalio/workflow';

/** A workflow's patches, oldest first, and the fold markers among them (the newest patch is always one). */
export interface PatchLineage {
  readonly order: readonly string[];
  readonly folds: readonly string[];
}

/**
 * Folds patches into fold markers: call it once at the start of the workflow, then ask `since(p)` where
 * the code asked `patched(p)`. A fold marker stands for every patch older than itself, so a run records
 * one marker (the SDK's core follows each patch marker with a TemporalChangeVersion upsert, a visibility
 * write):
 * - a run started since the newest fold (`current`) records that marker and takes every patch's path;
 * - a run recorded under an older fold answers its patches as one, and asks each patch newer than its
 *   fold as it ran;
 * - a run recorded before any fold asks each patch as it ran, so its history replays, and once live
 *   takes those it had not reached (each with its marker).
 * The folds are asked here, newest first, up to the first present, and their answers kept: on replay
 * the SDK answers `patched()` false for a marker the history lacks without keeping the answer, so a
 * second call in a run that has gone live would say true.
 * Throws when the newest patch is not a fold, or when `since` is asked a patch not in `order`.
 */
export function foldPatches({ order, folds }: PatchLineage): { current: boolean; since(patch: string): boolean } {
  if (!folds.includes(order.at(-1) ?? '')) throw new Error(`foldPatches: the newest patch (${order.at(-1)}) must be a fold`);
  const age = (patch: string) => {
    const index = order.indexOf(patch);
    if (index < 0) throw new Error(`foldPatches: ${patch} is not in the workflow's patch lineage`);
    return index;
  };
  // The oldest position covered: every patch at or before the newest fold this run recorded.
  let covered = -1;
  for (const fold of [...folds].sort((a, b) => age(b) - age(a))) {
    if (patched(fold)) {
      covered = age(fold);
      break;
    }
  }
  const asked = new Set(folds);
  return {
    current: covered === order.length - 1,
    since: (patch) => age(patch) <= covered || (!asked.has(patch) && patched(patch)),
  };
}
