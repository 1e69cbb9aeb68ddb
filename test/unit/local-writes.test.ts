import { msToNumber } from '@temporalio/common/lib/time';
import { LOCAL_RETRY_THRESHOLD_MS, localWriteOptions } from '../../workflows/local-writes';

test('a local write never backs off past the local retry threshold (past it the SDK gives the retry a new operation id)', () => {
  const { retry, localRetryThreshold } = localWriteOptions(['Conflict']);
  expect(msToNumber(localRetryThreshold!)).toBe(LOCAL_RETRY_THRESHOLD_MS);
  const initial = msToNumber(retry.initialInterval ?? '1 second');
  const coefficient = retry.backoffCoefficient ?? 2;
  const maximum = msToNumber(retry.maximumInterval!);
  const backoffs = Array.from({ length: 40 }, (_, attempt) => Math.min(initial * coefficient ** attempt, maximum));
  expect(Math.max(...backoffs)).toBeLessThan(LOCAL_RETRY_THRESHOLD_MS);
  expect(retry.maximumAttempts ?? 0).toBe(0); // unlimited, as for the activities they replace
  expect(retry.nonRetryableErrorTypes).toEqual(['Conflict']);
});
