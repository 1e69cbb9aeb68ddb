import type pino from 'pino';
import { repeat } from '../../src/notify/notifier';

/** A logger that keeps what it was given: level, fields and message. */
function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { lines, log: { warn: at('warn'), info: at('info'), debug: at('debug') } as unknown as pino.Logger };
}

afterEach(() => jest.useRealTimers());

test('a pass that keeps failing is logged once with its error, then once a minute, and its recovery once', async () => {
  jest.useFakeTimers();
  const { lines, log } = recordingLogger();
  let failures = 150; // passes a second apart: two and a half minutes of an outage
  const stop = repeat(
    'webhook dispatch',
    () => 1_000,
    async () => (failures-- > 0 ? Promise.reject(new Error('connect ECONNREFUSED')) : 0),
    log,
  );
  await jest.advanceTimersByTimeAsync(155_000);
  await stop();
  expect(lines.map(({ level, msg }) => [level, msg])).toEqual([
    ['warn', 'webhook dispatch failed; the next pass retries'],
    ['warn', 'webhook dispatch still failing for 60 s: connect ECONNREFUSED'],
    ['warn', 'webhook dispatch still failing for 120 s: connect ECONNREFUSED'],
    ['info', 'webhook dispatch recovered after 150 s'],
  ]);
  expect(lines[0].fields.err).toEqual(new Error('connect ECONNREFUSED'));
  expect(lines[3].fields.failedPasses).toBe(150);
});

test('another error in the middle of an outage is logged in full, at once', async () => {
  jest.useFakeTimers();
  const { lines, log } = recordingLogger();
  const errors = [new Error('connect ECONNREFUSED'), new Error('connect ECONNREFUSED'), new TypeError("Cannot read properties of undefined (reading 'id')")];
  const stop = repeat(
    'email dispatch',
    () => 1_000,
    async () => Promise.reject(errors.shift() ?? new TypeError('again')),
    log,
  );
  await jest.advanceTimersByTimeAsync(2_500);
  await stop();
  expect(lines.map(({ level, msg, fields }) => [level, msg, (fields.err as Error | undefined)?.message])).toEqual([
    ['warn', 'email dispatch failed; the next pass retries', 'connect ECONNREFUSED'],
    ['warn', 'email dispatch failed; the next pass retries', "Cannot read properties of undefined (reading 'id')"],
  ]);
});
