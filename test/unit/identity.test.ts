import { administratorIdentity, mailboxKey, matchKey, organizationIdentity } from '../../src/domain/identity';
import { normalizeEmailAddress } from '../../src/domain/email';

/** Issue 7, item 9: what counts as the same organization or person in one account. */
test('names compare after NFKC, case folding, whitespace and punctuation', () => {
  expect(matchKey('Acme Network Technology Co., Ltd.')).toBe(matchKey('ACME  NETWORK TECHNOLOGY CO.,LTD'));
  expect(matchKey('北京示例网络科技有限公司（北京）')).toBe(matchKey('北京示例网络科技有限公司(北京)'));
  expect(matchKey('Ａｃｍｅ　Ｌｔｄ')).toBe(matchKey('acme ltd'));
  expect(matchKey('Straße GmbH')).toBe(matchKey('STRASSE GMBH'));
  expect(matchKey('Acme Ltd')).not.toBe(matchKey('Acme Inc'));
});

test('invisible format characters a name may hold (ZWJ, ZWNJ) do not make another person or organization', () => {
  const lei = { firstName: 'Lei', lastName: 'Li', email: 'admin@acme.cn' };
  expect(administratorIdentity({ ...lei, firstName: 'Le\u200di' })).toBe(administratorIdentity(lei));
  expect(administratorIdentity({ ...lei, lastName: 'L\u200ci' })).toBe(administratorIdentity(lei));
  expect(administratorIdentity({ ...lei, email: 'ad\u200dmin@acme.cn' })).toBe(administratorIdentity(lei));
  expect(organizationIdentity({ name: 'Acme\u200d Ltd', country: 'CN' })).toBe(organizationIdentity({ name: 'Acme Ltd', country: 'CN' }));
});

test('an organization is its legal name in its country', () => {
  const acme = { name: 'Acme Network Technology Co., Ltd.', country: 'CN' };
  expect(organizationIdentity({ ...acme, name: 'acme network technology co.,ltd.' })).toBe(organizationIdentity(acme));
  expect(organizationIdentity({ ...acme, country: 'US' })).not.toBe(organizationIdentity(acme));
});

test('a person is a given name, a surname and a mailbox; the mailbox case-insensitively', () => {
  const lei = { firstName: 'Lei', lastName: 'Li', email: 'admin@acme.cn' };
  expect(mailboxKey('ADMIN@acme.cn')).toBe(mailboxKey('admin@acme.cn'));
  expect(administratorIdentity({ ...lei, email: 'ADMIN@acme.cn' })).toBe(administratorIdentity(lei));
  expect(administratorIdentity({ ...lei, firstName: 'LEI', lastName: ' li ' })).toBe(administratorIdentity(lei));
  expect(administratorIdentity({ ...lei, email: 'ops@acme.cn' })).not.toBe(administratorIdentity(lei));
  expect(administratorIdentity({ ...lei, firstName: 'Jun' })).not.toBe(administratorIdentity(lei));
});

/**
 * Every Default_Ignorable_Code_Point (Unicode TR #44), not only the format characters, and the blanks
 * (U+2800) are dropped from the comparison, as UTS #39's skeleton drops them: the security review's bypasses.
 */
describe('invisible characters outside Cf do not make another organization or person', () => {
  const acme = { name: 'Acme Network Technology Co., Ltd.', country: 'CN' };
  const lei = { firstName: 'Lei', lastName: 'Li', email: 'admin@acme.cn' };
  const INVISIBLE = [
    0x3164, 0x115f, 0x1160, 0xffa0, 0x034f, 0x17b4, 0x17b5, 0x180b, 0x180d, 0x180e, 0x180f, 0xfe00, 0xfe0e, 0xfe0f, 0xe0100, 0xe01ef, 0x2800, 0x1d159, 0x200b,
    0x202e, 0x2066,
  ].map((code) => [`U+${code.toString(16).toUpperCase().padStart(4, '0')}`, String.fromCodePoint(code)] as const);

  test("the review's examples are the organization already in the account", () => {
    for (const name of ['Acme\u3164Network Technology Co., Ltd.', 'Acme Network Technology Co.,\u034f Ltd.', 'Acme Network Technology Co., Ltd.\ufe0f'])
      expect(organizationIdentity({ ...acme, name })).toBe(organizationIdentity(acme));
  });

  test.each(INVISIBLE)('%s in a legal name, a given name or a surname; no mailbox can hold one', (_code, character) => {
    expect(organizationIdentity({ ...acme, name: `Acme${character}Network Technology Co., Ltd.` })).toBe(organizationIdentity(acme));
    expect(organizationIdentity({ ...acme, name: `${character}Acme Network Technology Co., Ltd.${character}` })).toBe(organizationIdentity(acme));
    expect(matchKey(`北京示例${character}网络科技有限公司`)).toBe(matchKey('北京示例网络科技有限公司'));
    expect(administratorIdentity({ ...lei, firstName: `Le${character}i` })).toBe(administratorIdentity(lei));
    expect(administratorIdentity({ ...lei, lastName: `${character}Li` })).toBe(administratorIdentity(lei));
    // Mailbox keys stay as stored (console users' `email_key`): such an address is refused instead.
    expect(normalizeEmailAddress(`ad${character}min@acme.cn`)).toMatchObject({ ok: false, rule: 'email-character' });
  });

  test('one between a letter and its combining mark does not keep them from composing', () => {
    expect(matchKey('Cafe\u034f\u0301 Ltd')).toBe(matchKey('Café Ltd'));
    expect(matchKey('Cafe\u200d\u0301 Ltd')).toBe(matchKey('Café Ltd'));
  });

  test('the visible letters still tell names apart', () => {
    expect(organizationIdentity({ ...acme, name: 'Acme\u3164Networks Technology Co., Ltd.' })).not.toBe(organizationIdentity(acme));
    expect(matchKey('한국\u3164상사')).not.toBe(matchKey('한국상회'));
    expect(matchKey('한국\u3164상사')).toBe(matchKey('한국 상사'));
  });
});
