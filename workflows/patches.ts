// Workflow-safe: one patch marker per run for patches that have accumulated.
import { patched } from '@temporalio/workflow';

/**
 * Folds older patches into `current`, a patch newer than all of them: call it once at the start of the
 * workflow, then ask `since(older)` where the code asked `patched(older)`. A run started since `current`
 * records its one marker (the SDK's core follows each patch marker with a TemporalChangeVersion upsert,
 * a visibility write) and takes every older patch's path; a run recorded before asks each older patch as
 * it ran, so its history replays, and once live takes those it had not reached (each with its marker).
 * Once: on replay the SDK answers `patched()` false for a marker the history lacks without keeping the
 * answer, so a second call in a run that has gone live would say true. Only patches older than `current`
 * may be folded into it.
 */
export function foldPatches(current: string): { current: boolean; since(older: string): boolean } {
  const latest = patched(current);
  return { current: latest, since: (older) => latest || patched(older) };
}
