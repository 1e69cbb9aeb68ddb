import { normalizeEmail, normalizeText } from '../../src/domain/normalize';

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
