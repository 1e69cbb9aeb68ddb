import { en } from '../../src/console/messages/en';
import { zhCN } from '../../src/console/messages/zh-CN';
import { translator } from '../../src/console/i18n';
import { fromLocalInput, toLocalInput, validTimeZone, formatInstant } from '../../src/console/time';

test('every English message has its Simplified Chinese translation, with the same placeholders', () => {
  const missing = Object.keys(en).filter((key) => !(key in zhCN));
  expect(missing).toEqual([]);
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [key, text] of Object.entries(zhCN)) expect([key, placeholders(text!)]).toEqual([key, placeholders(en[key as keyof typeof en])]);
});

test('messages take their parameters; a missing translation falls back to English', () => {
  expect(translator('en')('signIn.tooMany', { seconds: 30 })).toBe('Too many failed sign-ins. Try again in 30 seconds.');
  expect(translator('zh-CN')('signIn.tooMany', { seconds: 30 })).toBe('登录失败次数过多，请在 30 秒后重试。');
});

test('dates are shown and read in the viewer’s time zone', () => {
  expect(validTimeZone('Asia/Shanghai')).toBe('Asia/Shanghai');
  expect(validTimeZone('Mars/Olympus')).toBeUndefined();
  expect(validTimeZone(undefined)).toBeUndefined();
  const at = new Date('2026-11-30T02:15:30Z');
  expect(toLocalInput(at, 'Asia/Shanghai')).toBe('2026-11-30T10:15:30');
  expect(fromLocalInput('2026-11-30T10:15:30', 'Asia/Shanghai')!.toISOString()).toBe('2026-11-30T02:15:30.000Z');
  expect(fromLocalInput('2026-11-30T10:15', 'UTC')!.toISOString()).toBe('2026-11-30T10:15:00.000Z');
  // Daylight saving time: New York is UTC−4 in July, UTC−5 in December.
  expect(fromLocalInput('2026-07-01T09:00', 'America/New_York')!.toISOString()).toBe('2026-07-01T13:00:00.000Z');
  expect(fromLocalInput('2026-12-01T09:00', 'America/New_York')!.toISOString()).toBe('2026-12-01T14:00:00.000Z');
  expect(fromLocalInput('yesterday', 'UTC')).toBeUndefined();
  expect(formatInstant(at, 'en', 'Asia/Shanghai')).toContain('10:15');
  expect(formatInstant(null, 'en', 'UTC')).toBe('');
});
