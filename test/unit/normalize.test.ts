import { normalizeEmail, normalizePhone, normalizeText } from '../../src/domain/normalize';

test('text is NFC, trimmed and single-spaced', () => {
  expect(normalizeText('  Acme\u00a0 Ltd\t ')).toBe('Acme Ltd');
  expect(normalizeText('Cafe\u0301')).toBe('Caf\u00e9');
});

test('emails are lowercased with A-label domains', () => {
  expect(normalizeEmail(' Li.Lei@Acme.CN ')).toBe('li.lei@acme.cn');
  expect(normalizeEmail('info@bücher.de')).toBe('info@xn--bcher-kva.de');
  expect(normalizeEmail('no-at-sign')).toBeNull();
  expect(normalizeEmail('trailing@')).toBeNull();
});

describe('phones', () => {
  test('national numbers are read in the given country and normalized to E.164', () => {
    expect(normalizePhone('010 6552 9988', 'CN', 'landline')).toEqual({ ok: true, e164: '+861065529988' });
    expect(normalizePhone('(415) 555-2671', 'US', 'any')).toEqual({ ok: true, e164: '+14155552671' });
    expect(normalizePhone('+44 20 7946 0958', 'CN', 'landline')).toEqual({ ok: true, e164: '+442079460958' });
  });
  test('a landline must not be a mobile number', () => {
    const result = normalizePhone('+86 138 0013 8000', undefined, 'landline');
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/fixed-line.*mobile/) });
    expect(normalizePhone('+86 138 0013 8000', undefined, 'any')).toEqual({ ok: true, e164: '+8613800138000' });
  });
  test('invalid numbers are refused', () => {
    expect(normalizePhone('12', 'CN', 'any').ok).toBe(false);
    expect(normalizePhone('call me', undefined, 'any').ok).toBe(false);
  });
});
