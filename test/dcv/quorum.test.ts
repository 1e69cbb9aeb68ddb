import { allowedFailures, evaluateQuorum, requiredCorroborations } from '../../src/dcv/quorum';

const results = (passed: number, failed: number) => [
  ...Array.from({ length: passed }, (_, i) => ({ perspective: `ok-${i}`, passed: true })),
  ...Array.from({ length: failed }, (_, i) => ({ perspective: `ko-${i}`, passed: false })),
];

describe('MPIC quorum (BR §3.2.2.9)', () => {
  it.each([
    [1, 0, 1],
    [2, 1, 1],
    [3, 1, 2],
    [5, 1, 4],
    [6, 2, 4],
    [7, 2, 5],
    [12, 2, 10],
  ])('n=%i allows %i failure(s), needs %i', (n, failures, needed) => {
    expect(allowedFailures(n)).toBe(failures);
    expect(requiredCorroborations(n)).toBe(needed);
  });

  it('rejects invalid counts', () => {
    expect(() => allowedFailures(-1)).toThrow(RangeError);
    expect(() => allowedFailures(2.5)).toThrow(RangeError);
  });

  it.each([
    [1, 0, true],
    [0, 1, false],
    [1, 1, true],
    [0, 2, false],
    [4, 1, true],
    [3, 2, false],
    [4, 2, true],
    [3, 3, false],
    [5, 2, true],
  ])('%i passing and %i failing → %s', (passed, failed, expected) => {
    expect(evaluateQuorum(results(passed, failed)).passed).toBe(expected);
  });

  it('reports the audit summary and who disagreed', () => {
    const outcome = evaluateQuorum(results(3, 1));
    expect(outcome).toEqual({
      passed: true,
      corroborating: 3,
      total: 4,
      required: 3,
      summary: '3/4',
      passedPerspectives: ['ok-0', 'ok-1', 'ok-2'],
      failedPerspectives: ['ko-0'],
    });
  });

  it('never passes without perspectives', () => {
    expect(evaluateQuorum([])).toMatchObject({ passed: false, summary: '0/0', required: 1 });
  });
});
