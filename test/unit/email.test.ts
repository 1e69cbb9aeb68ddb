import { normalizeEmailAddress } from '../../src/domain/email';

/** Issue 7, item 9: internationalized mailboxes in one stored form (RFC 5890, RFC 6531). */
describe('one stored form: A-label domain in lowercase, local part as entered', () => {
  test.each([
    ['admin@example.xn--fiqs8s', 'admin@example.xn--fiqs8s'],
    ['admin@例子.公司', 'admin@xn--fsqu00a.xn--55qx5d'],
    ['admin@XN--FSQU00A.XN--55QX5D', 'admin@xn--fsqu00a.xn--55qx5d'],
    ['admin@例子。公司', 'admin@xn--fsqu00a.xn--55qx5d'],
    ['admin＠例子．公司', 'admin@xn--fsqu00a.xn--55qx5d'],
    ['info@bücher.de', 'info@xn--bcher-kva.de'],
    [' Li.Lei@Acme.CN ', 'Li.Lei@acme.cn'],
    ['ADMIN@例子.公司', 'ADMIN@xn--fsqu00a.xn--55qx5d'],
    ['用户@例子.公司', '用户@xn--fsqu00a.xn--55qx5d'],
    ['first.last+tag@example.com', 'first.last+tag@example.com'],
    ["o'brien@example.co.uk", "o'brien@example.co.uk"],
  ])('%s → %s', (input, stored) => {
    expect(normalizeEmailAddress(input)).toEqual({ ok: true, value: stored });
  });
});

describe('refusals name their rule; malformed is 400, well-formed but unusable is 422', () => {
  test.each([
    ['no-at-sign', 'email-syntax', false],
    ['trailing@', 'email-syntax', false],
    ['@example.com', 'email-syntax', false],
    ['a..b@example.com', 'email-syntax', false],
    ['.a@example.com', 'email-syntax', false],
    ['a b@example.com', 'email-syntax', false],
    ['"john doe"@example.com', 'email-quoted-local-part', true],
    ['admin@[192.0.2.1]', 'email-address-literal', true],
    ['admin@localhost', 'too-few-labels', true],
    ['admin@example.invalid', 'internal-name', true],
    ['admin@example.onion', 'special-use', true],
    ['admin@com.cn', 'public-suffix', true],
    ['admin@ab--cd.example.com', 'reserved-ldh-label', true],
    ['admin@*.example.com', 'wildcard-position', true],
    ['admin@exa_mple.com', 'ldh-syntax', true],
    [`${'a'.repeat(65)}@example.com`, 'email-length', false],
    [`${'用'.repeat(22)}@example.com`, 'email-length', false],
    [`${'a'.repeat(20)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.com`, 'email-length', false],
  ])('%s: %s', (input, rule, unprocessable) => {
    const result = normalizeEmailAddress(input);
    expect(result).toMatchObject({ ok: false, rule, unprocessable });
    expect(!result.ok && result.message).toMatch(/\(.+\)$/);
  });
});

describe('characters no mailbox holds: 400 email-character, so nothing unstorable or look-alike is kept', () => {
  test.each([
    ['a\ud800@example.com', 'U+D800'],
    ['a\udfff@example.com', 'U+DFFF'],
    ['a\u0000@example.com', 'U+0000'],
    ['a\tb@example.com', 'U+0009'],
    ['a\u0085b@example.com', 'U+0085'],
    ['a\u009fb@example.com', 'U+009F'],
    ['li.lei\u200b@acme.cn', 'U+200B'],
    ['\u202eli.lei@acme.cn', 'U+202E'],
    ['li\u00adlei@acme.cn', 'U+00AD'],
    ['li\ufefflei@acme.cn', 'U+FEFF'],
    ['li\u00a0lei@acme.cn', 'U+00A0'],
    ['li\u3000lei@acme.cn', 'U+3000'],
    ['li\u2028lei@acme.cn', 'U+2028'],
    ['li\ue000lei@acme.cn', 'U+E000'],
  ])('%j names %s', (input, codePoint) => {
    const result = normalizeEmailAddress(input);
    expect(result).toMatchObject({ ok: false, rule: 'email-character', unprocessable: false });
    expect(!result.ok && result.message).toContain(codePoint);
  });

  test('letters of any script, and ZWNJ where a script needs it, stay', () => {
    expect(normalizeEmailAddress('ä.müller@example.de')).toEqual({ ok: true, value: 'ä.müller@example.de' });
    expect(normalizeEmailAddress('می\u200cخواهم@example.ir')).toEqual({ ok: true, value: 'می\u200cخواهم@example.ir' });
  });
});
