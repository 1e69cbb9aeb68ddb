import { z } from 'zod';
import { fieldErrors } from '../../src/console/forms';
import { RULE_WORDING } from '../../src/console/messages/rules';
import { FIELD_RULES, type FieldRule } from '../../src/domain/field-rules';
import { parse, type Problem } from '../../src/problem';
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

test('every rule a field error can name has its Chinese wording, whose placeholders are the values that rule carries', () => {
  const carried: Partial<Record<FieldRule, string[]>> = {
    type: ['expected'],
    'min-length': ['minimum'],
    'max-length': ['maximum'],
    minimum: ['minimum'],
    maximum: ['maximum'],
    'min-items': ['minimum'],
    'max-items': ['maximum'],
    format: ['format'],
    'one-of': ['options'],
    'unknown-field': ['keys'],
    'decimal-integer': ['maximum', 'minimum'],
    'integer-range': ['maximum', 'minimum'],
    'max-depth': ['maximum'],
  };
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const rule of Object.keys(FIELD_RULES) as FieldRule[]) {
    expect([rule, RULE_WORDING['zh-CN'][rule].length > 0, placeholders(RULE_WORDING['zh-CN'][rule])]).toEqual([rule, true, carried[rule] ?? []]);
    const english = RULE_WORDING.en[rule];
    if (english) expect([rule, placeholders(english)]).toEqual([rule, carried[rule] ?? []]);
  }
});

test('field errors are said in the viewer’s language with their values; in English, as the field error says it', () => {
  const schema = z.strictObject({ name: z.string().max(3), kind: z.enum(['dns', 'file']), count: z.number().min(1), tags: z.array(z.string()).max(1) });
  let problem: Problem | undefined;
  try {
    parse(schema, { name: 'abcd', kind: 'ftp', count: 0, tags: ['a', 'b'], extra: true });
  } catch (error) {
    problem = error as Problem;
  }
  expect(fieldErrors(problem!, translator('zh-CN'))).toEqual({
    name: '最多 3 个字符。',
    kind: '请从以下选项中选择：dns、file。',
    count: '不能小于 1。',
    tags: '最多 1 项。',
    '(body)': '包含无法识别的字段：extra。',
  });
  const english = fieldErrors(problem!, translator('en'))!;
  expect(english.name).toBe(problem!.extra.errors!.find((e) => e.field === 'name')!.message);
  expect(Object.values(english).join(' ')).not.toMatch(/[\u4e00-\u9fff]/);
});

test('zod’s own words in a field error’s values (a JSON type, a format) are said in Chinese, never shown raw', () => {
  const schema = z.strictObject({ port: z.number(), at: z.iso.datetime(), zone: z.string().regex(/^[a-z.]+$/), on: z.boolean() });
  let problem: Problem | undefined;
  try {
    parse(schema, { port: '53', at: 'yesterday', zone: '*.example.com', on: 'yes' });
  } catch (error) {
    problem = error as Problem;
  }
  expect(problem!.extra.errors!.map((e) => e.values)).toEqual([{ expected: 'number' }, { format: 'datetime' }, { format: 'regex' }, { expected: 'boolean' }]);
  expect(fieldErrors(problem!, translator('zh-CN'))).toEqual({
    port: '类型不正确，应为数字。',
    at: '格式不正确，应为带时区的日期时间（如 2026-11-30T09:30:00+08:00）。',
    zone: '格式不正确。',
    on: '类型不正确，应为是或否。',
  });
});
