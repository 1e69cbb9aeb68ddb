import { LocalActivityLane } from '../../workflows/local-activity-lane';

/** A call that settles when the test says, recording when it started. */
function controlled(log: string[], name: string) {
  let settle!: { resolve: (value: string) => void; reject: (error: Error) => void };
  const call = () => {
    log.push(`start ${name}`);
    return new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  };
  return { call, settle: () => settle };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A lane whose results reach their callers at once (in a workflow: after the activation's other jobs, `afterActivationJobs`). */
const laneOf = (inTurn: ConstructorParameters<typeof LocalActivityLane>[0]) => new LocalActivityLane(inTurn, () => Promise.resolve());

test("an idle lane starts the call at once; a run recorded before the lane gets the call's own promise (nothing delayed)", () => {
  const log: string[] = [];
  void laneOf(true).run(controlled(log, 'a').call);
  expect(log).toEqual(['start a']);
  const promise = Promise.resolve('x');
  expect(laneOf(() => false).run(() => promise)).toBe(promise);
  expect(laneOf(false).run(() => promise)).toBe(promise);
});

test("taking turns, a result reaches its caller only after the activation's other jobs, and the next call starts before", async () => {
  let jobsDone!: () => void;
  const lane = new LocalActivityLane(true, () => new Promise<void>((resolve) => (jobsDone = resolve)));
  const log: string[] = [];
  const [a, b] = ['a', 'b'].map((name) => controlled(log, name));
  const first = lane.run(a.call).then((value) => log.push(`caller got ${value}`));
  void lane.run(b.call);
  a.settle().resolve('A');
  await turn();
  expect(log).toEqual(['start a', 'start b']);
  jobsDone();
  await first;
  expect(log).toEqual(['start a', 'start b', 'caller got A']);
  // A failure waits the same way.
  const failure = new Error('row gone');
  const second = lane.run(() => Promise.reject(failure)).catch((error: unknown) => log.push(`caller caught ${(error as Error).message}`));
  b.settle().resolve('B');
  await turn();
  expect(log.at(-1)).toBe('caller got A');
  jobsDone();
  await second;
  expect(log.at(-1)).toBe('caller caught row gone');
});

test('calls made while one is outstanding start one at a time, in the order made', async () => {
  const lane = laneOf(true);
  const log: string[] = [];
  const [a, b, c] = ['a', 'b', 'c'].map((name) => controlled(log, name));
  const results = Promise.allSettled([lane.run(a.call), lane.run(b.call), lane.run(c.call)]);
  await turn();
  expect(log).toEqual(['start a']);
  a.settle().resolve('A');
  await turn();
  expect(log).toEqual(['start a', 'start b']);
  // A failure hands the lane on like a result does, and reaches its caller unchanged.
  const failure = new Error('row gone');
  b.settle().reject(failure);
  await turn();
  expect(log).toEqual(['start a', 'start b', 'start c']);
  c.settle().resolve('C');
  expect(await results).toEqual([
    { status: 'fulfilled', value: 'A' },
    { status: 'rejected', reason: failure },
    { status: 'fulfilled', value: 'C' },
  ]);
  // Idle again: the next call starts at once.
  const d = controlled(log, 'd');
  void lane.run(d.call);
  expect(log.at(-1)).toBe('start d');
});

test('a call that throws before returning a promise hands the lane on', async () => {
  const lane = laneOf(true);
  expect(() =>
    lane.run(() => {
      throw new Error('bad options');
    }),
  ).toThrow('bad options');
  const log: string[] = [];
  void lane.run(controlled(log, 'next').call);
  expect(log).toEqual(['start next']);
});

test('runs recorded before the lane (inTurn false) start every call at once, as they ran', async () => {
  const lane = laneOf(false);
  const log: string[] = [];
  const [a, b] = ['a', 'b'].map((name) => controlled(log, name));
  void lane.run(a.call);
  void lane.run(b.call);
  expect(log).toEqual(['start a', 'start b']);
});

test('a run recorded before the lane (the question): asked only when a call meets another outstanding; while it says no, calls start at once', async () => {
  const asked: boolean[] = [];
  const answers = [false, false];
  const lane = laneOf(() => (asked.push(true), answers.shift() ?? true));
  const log: string[] = [];
  const [a, b, c] = ['a', 'b', 'c'].map((name) => controlled(log, name));
  // Alone: nothing asked (no marker), the call's own promise.
  const promise = Promise.resolve('x');
  expect(lane.run(() => (log.push('start alone'), promise))).toBe(promise);
  expect(asked).toHaveLength(0);
  await turn();
  // Replaying what a run of the previous release did: the answer is no each time it is asked.
  void lane.run(a.call);
  expect(asked).toHaveLength(0);
  void lane.run(b.call);
  void lane.run(c.call);
  expect(asked).toHaveLength(2);
  expect(log).toEqual(['start alone', 'start a', 'start b', 'start c']);
  a.settle().resolve('A');
  b.settle().resolve('B');
  c.settle().resolve('C');
  await turn();
  // Idle again: nothing asked.
  void lane.run(controlled(log, 'd').call).then(() => undefined);
  expect(asked).toHaveLength(2);
});

test('a run recorded before the lane, once live: the question says yes (asked once), and a call waits until every call started together has settled', async () => {
  let asked = 0;
  const lane = laneOf(() => (++asked, asked > 1));
  const log: string[] = [];
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((name) => controlled(log, name));
  const results = Promise.all([lane.run(a.call), lane.run(b.call)]); // asked: no (replay)
  expect(log).toEqual(['start a', 'start b']);
  const third = lane.run(c.call); // asked: yes (live)
  const fourth = lane.run(d.call); // not asked again
  expect(asked).toBe(2);
  await turn();
  expect(log).toEqual(['start a', 'start b']);
  b.settle().resolve('B');
  await turn();
  expect(log).toEqual(['start a', 'start b']); // a is still outstanding
  a.settle().resolve('A');
  await turn();
  expect(log).toEqual(['start a', 'start b', 'start c']);
  c.settle().resolve('C');
  await turn();
  expect(log.at(-1)).toBe('start d');
  d.settle().resolve('D');
  expect([await results, await third, await fourth]).toEqual([['A', 'B'], 'C', 'D']);
  // Idle: the next call starts at once, later ones wait for it, nothing asked any more.
  void lane.run(e.call);
  void lane.run(controlled(log, 'f').call);
  expect(log.slice(-1)).toEqual(['start e']);
  expect(asked).toBe(2);
});

test('wrap: each function of a proxy goes through the lane with its arguments; other properties pass through', async () => {
  const lane = laneOf(true);
  const log: string[] = [];
  const first = controlled(log, 'first');
  const proxy = {
    label: 'reads',
    checkInput: (id: string) => (log.push(`checkInput ${id}`), first.call()),
    renewalTime: async (id: string) => (log.push(`renewalTime ${id}`), `at ${id}`),
  };
  const wrapped = lane.wrap(proxy);
  expect(wrapped.label).toBe('reads');
  const input = wrapped.checkInput('d1');
  const renewal = wrapped.renewalTime('d2');
  await turn();
  expect(log).toEqual(['checkInput d1', 'start first']);
  first.settle().resolve('input');
  expect(await input).toBe('input');
  expect(await renewal).toBe('at d2');
  expect(log).toEqual(['checkInput d1', 'start first', 'renewalTime d2']);
});
