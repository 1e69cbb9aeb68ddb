import { normalizeText } from '../../src/domain/normalize';

test('text is NFC, trimmed and single-spaced', () => {
  expect(normalizeText('  Acme\u00a0 Ltd\t ')).toBe('Acme Ltd');
  expect(normalizeText('Cafe\u0301')).toBe('Caf\u00e9');
});

test('no stored text keeps the leading, trailing or repeated whitespace zlint warns about, whatever the space character', () => {
  for (const space of [' ', '\u00a0', '\u3000', '\u2003', '\t', '\n', '\u2028']) {
    const value = normalizeText(`${space}${space}Acme${space}${space}Network${space}`);
    expect(value).toBe('Acme Network');
  }
});
