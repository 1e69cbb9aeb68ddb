import { Problem } from '../../src/problem';

/** The Problem `run` throws (a validation's refusal); fails the test when it throws nothing or something else. */
export function problemOf(run: () => unknown): Problem {
  try {
    run();
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('expected a problem');
}

/** A problem's `[field, rule]` pairs, in order (`null` for a fault that names no rule). */
export const faults = (problem: Problem) => problem.extra.errors!.map((e) => [e.field, e.rule ?? null]);
