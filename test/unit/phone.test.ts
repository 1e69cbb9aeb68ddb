import { normalizePhone } from '../../src/domain/phone';

const value = (input: string, country: string | undefined, kind: 'landline' | 'mobile') => {
  const result = normalizePhone(input, country, kind);
  if (!result.ok) throw new Error(`expected ${input} to be accepted: ${result.message}`);
  return result.value;
};
const refusal = (input: string, country: string | undefined, kind: 'landline' | 'mobile') => {
  const result = normalizePhone(input, country, kind);
  if (result.ok) throw new Error(`expected ${input} to be refused, got ${result.value}`);
  return { rule: result.rule, message: result.message };
};

describe('a landline', () => {
  test('national numbers are read in the given country and normalized to E.164', () => {
    expect(value('010 6552 9988', 'CN', 'landline')).toBe('+861065529988');
    expect(value('(010) 6552-9988', 'CN', 'landline')).toBe('+861065529988');
    expect(value('+44 20 7946 0958', 'CN', 'landline')).toBe('+442079460958');
    expect(value('＋８６ １０ ６５５２ ９９８８', undefined, 'landline')).toBe('+861065529988');
  });

  // Every way libphonenumber reads an extension, plus the CJK words it does not (转, 分机, 內線…).
  test.each([
    '+86 10 6552 9988 ext. 8001',
    '+86 10 6552 9988 ext 8001',
    '+86 10 6552 9988 EXT.8001',
    '+86 10 6552 9988 extension 8001',
    '+86 10 6552 9988 x8001',
    '+86 10 6552 9988 X 8001',
    '+86 10 6552 9988;ext=8001',
    '+861065529988;ext=8001',
    '+86 10 6552 9988 #8001',
    '+86 10 6552 9988 ~8001',
    '+86 10 6552 9988, 8001',
    '+86 10 6552 9988 доб. 8001',
    '+86 10 6552 9988 转8001',
    '+86 10 6552 9988 转 8001',
    '+86 10 6552 9988 轉8001',
    '+86 10 6552 9988 分机 8001',
    '+86 10 6552 9988 分機8001',
    '+86 10 6552 9988 内线8001',
    '010-6552-9988转8001',
    '010 6552 9988 ext. ٨٠٠١',
  ])('%s keeps its extension as RFC 3966 ;ext=', (input) => {
    expect(value(input, 'CN', 'landline')).toBe('+861065529988;ext=8001');
  });

  test('the stored form reads back to itself', () => {
    const stored = value('+86 10 6552 9988 ext. 8001', undefined, 'landline');
    expect(value(stored, 'US', 'landline')).toBe(stored);
  });

  test('where the numbering plan cannot tell fixed from mobile (NANP), the number is accepted', () => {
    expect(value('(212) 555-0100', 'US', 'landline')).toBe('+12125550100');
    expect(value('+1 201 555 0123 x12', undefined, 'landline')).toBe('+12015550123;ext=12');
  });

  test.each([
    ['+86 138 0013 8000', 'MOBILE'],
    ['+44 7400 123456', 'MOBILE'],
    ['+86 800 810 8888', 'TOLL_FREE'],
    ['+1 800 555 0100', 'TOLL_FREE'],
    ['+86 400 810 8888', 'SHARED_COST'],
    ['+49 1805 123456', 'SHARED_COST'],
    ['+1 900 555 0100', 'PREMIUM_RATE'],
    ['+44 90 1234 5678', 'PREMIUM_RATE'],
    ['+44 56 1234 5678', 'VOIP'],
    ['+81 50 1234 5678', 'VOIP'],
    ['+44 70 1234 5678', 'PERSONAL_NUMBER'],
    ['+49 700 12345678', 'PERSONAL_NUMBER'],
    ['+44 7640 123456', 'PAGER'],
    ['+44 55 1234 5678', 'UAN'],
    ['+41 860 123 456 789', 'VOICEMAIL'],
  ])('%s is refused naming its type %s', (input, type) => {
    expect(refusal(input, undefined, 'landline')).toEqual({
      rule: 'phone-type',
      message: `is a ${type} number; a landline (FIXED_LINE) the CA can call to reach the organization is required`,
    });
  });
});

describe("an administrator's mobile", () => {
  test('mobile numbers, and numbers the plan cannot tell apart, are accepted', () => {
    expect(value('138 0013 8000', 'CN', 'mobile')).toBe('+8613800138000');
    expect(value('+44 7400 123456', 'CN', 'mobile')).toBe('+447400123456');
    expect(value('(415) 555-2671', 'US', 'mobile')).toBe('+14155552671');
  });

  test.each([
    ['+86 10 6552 9988', 'FIXED_LINE'],
    ['+44 20 7946 0958', 'FIXED_LINE'],
    ['+86 400 810 8888', 'SHARED_COST'],
    ['+1 800 555 0100', 'TOLL_FREE'],
    ['+44 70 1234 5678', 'PERSONAL_NUMBER'],
    ['+44 7640 123456', 'PAGER'],
    ['+44 56 1234 5678', 'VOIP'],
  ])('%s is refused naming its type %s', (input, type) => {
    expect(refusal(input, undefined, 'mobile')).toEqual({ rule: 'phone-type', message: `is a ${type} number; a mobile number (MOBILE) is required` });
  });

  test('a mobile has no extension', () => {
    expect(refusal('+86 138 0013 8000 ext. 12', undefined, 'mobile')).toEqual({ rule: 'mobile-extension', message: 'a mobile number has no extension' });
  });
});

describe('nothing is silently dropped: the whole input must be the number', () => {
  test.each([
    '12',
    'call me',
    '+86 10 6552 9988 ext=abc',
    '+86 10 6552 9988 x',
    '+86 10 6552 9988 hello',
    'Tel: +86 10 6552 9988',
    '+86 10 6552 9988 ext. 8001 please',
    '+86-10-6552-9988-8001',
  ])('%s', (input) => {
    expect(refusal(input, 'CN', 'landline').rule).toBe('phone-number');
  });
});
