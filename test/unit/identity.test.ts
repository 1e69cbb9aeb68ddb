import { administratorIdentity, mailboxKey, matchKey, organizationIdentity } from '../../src/domain/identity';

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
