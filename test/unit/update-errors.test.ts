import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE } from '../../src/domain/vocabulary';
import { Problem } from '../../src/problem';
import { updateProblem, isTemporalUnavailable } from '../../src/temporal/update-errors';
import { failFastInterceptor } from '../../src/temporal/fail-fast';

/** A workflow update refused by its activity, as the Temporal client hands it to the API. */
const refused = (failure: ApplicationFailure) => new WorkflowUpdateFailedError('update failed', failure);

test('an Unprocessable refusal answers 422 with the field errors its details carry', () => {
  const errors = [{ field: 'callback.number', message: "must be the organization's landline", rule: 'callback-number' }];
  const problem = updateProblem(refused(ApplicationFailure.create({ type: FAILURE.unprocessable, message: 'does not fit', details: [errors] })));
  expect(problem).toBeInstanceOf(Problem);
  expect(problem).toMatchObject({ status: 422, detail: 'does not fit', extra: { errors } });
});

test('details that are not field errors are dropped, the refusal still answers 422; a conflict stays 409', () => {
  const odd = updateProblem(refused(ApplicationFailure.create({ type: FAILURE.unprocessable, message: 'x', details: ['not errors'] }))) as Problem;
  expect([odd.status, odd.extra.errors]).toEqual([422, undefined]);
  expect(updateProblem(refused(ApplicationFailure.create({ type: FAILURE.conflict, message: 'not under review' })))).toMatchObject({ status: 409 });
});

test('a call the fail-fast gate refused (never sent) answers 503 saying nothing was sent; one sent and unanswered may still land', async () => {
  const gate = failFastInterceptor(() => true).startUpdate!;
  const refused = await gate({} as never, () => Promise.resolve({} as never)).catch((error: unknown) => error);
  expect(isTemporalUnavailable(refused)).toBe(true);
  expect(updateProblem(refused)).toMatchObject({ status: 503, detail: 'the workflow service is unreachable; nothing was sent: retry the request' });
  const timedOut = Object.assign(new Error('4 DEADLINE_EXCEEDED: deadline exceeded'), { code: 4, details: 'deadline exceeded', metadata: undefined });
  expect(updateProblem(timedOut)).toMatchObject({ status: 503, detail: expect.stringMatching(/may still take effect/) });
  // The gate open, the call goes through unchanged.
  await expect(failFastInterceptor(() => false).startUpdate!({ n: 1 } as never, async (input) => input as never)).resolves.toEqual({ n: 1 });
});
