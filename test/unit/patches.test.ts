import { patched } from '@temporalio/workflow';
import { foldPatches } from '../../workflows/patches';

// `patched()` as the SDK answers it: true live (recording a marker), on replay true only for a marker the history holds.
jest.mock('@temporalio/workflow', () => ({ patched: jest.fn() }));
const asked: string[] = [];
function run(mode: 'live' | { replaying: string[] }) {
  asked.length = 0;
  jest.mocked(patched).mockImplementation((id: string) => {
    asked.push(id);
    return mode === 'live' || mode.replaying.includes(id);
  });
}

// A domain-like lineage: two old patches, a fold standing for them, a patch after it, the newest fold.
const LINEAGE = { order: ['faults', 'lean', 'one-read', 'renewal', 'current'], folds: ['one-read', 'current'] };

test('a run started since the newest fold records its one marker and takes every path without asking more', () => {
  run('live');
  const { current, since } = foldPatches(LINEAGE);
  expect(current).toBe(true);
  expect(LINEAGE.order.map(since)).toEqual([true, true, true, true, true]);
  expect(asked).toEqual(['current']);
});

test('a run recorded under the older fold answers the patches before it as one and asks those after it as it ran', () => {
  run({ replaying: ['one-read'] });
  const { current, since } = foldPatches(LINEAGE);
  expect(current).toBe(false);
  expect(asked).toEqual(['current', 'one-read']);
  expect([since('faults'), since('lean'), since('one-read')]).toEqual([true, true, true]);
  expect(asked).toEqual(['current', 'one-read']);
  expect(since('renewal')).toBe(false);
  expect(asked.at(-1)).toBe('renewal');
});

test('a run recorded before any fold asks each patch; a fold it lacks stays false once live (asked once, at the start)', () => {
  run({ replaying: ['faults'] });
  const { current, since } = foldPatches(LINEAGE);
  expect(current).toBe(false);
  expect([since('faults'), since('lean')]).toEqual([true, false]);
  // Gone live: a patch asked now is taken, but the folds keep the answer the start had.
  run('live');
  expect(since('lean')).toBe(true);
  expect([since('one-read'), since('current')]).toEqual([false, false]);
  expect(asked).toEqual(['lean']);
});

test('a lineage whose newest patch is no fold, or a patch outside it, is refused', () => {
  run('live');
  expect(() => foldPatches({ order: ['a', 'b'], folds: ['a'] })).toThrow('the newest patch (b) must be a fold');
  expect(() => foldPatches(LINEAGE).since('typo')).toThrow('typo is not in the workflow');
});
