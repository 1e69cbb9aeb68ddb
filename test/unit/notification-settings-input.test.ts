import { notificationSettingsInput } from '../../src/notify/settings-input';
import { parse } from '../../src/problem';
import { problemOf } from '../support/problems';

/**
 * A notification contact's name becomes the display name of the account's emails: held to the rule every
 * other person's name is held to (`unprintable-character`: no bidi control, zero-width or other
 * default-ignorable character, no blank such as U+2800; ZWNJ/ZWJ kept for the scripts that need them).
 */
const settings = (...names: Array<string | null | undefined>) => ({
  language: 'en',
  contacts: names.map((name, i) => ({ email: `c${i}@acme-group.com`, ...(name === undefined ? {} : { name }) })),
});

test.each([
  ['right-to-left override', 0x202e],
  ['left-to-right isolate', 0x2066],
  ['pop directional isolate', 0x2069],
  ['zero-width space', 0x200b],
  ['word joiner', 0x2060],
  ['soft hyphen', 0x00ad],
  ['Hangul filler', 0x3164],
  ['halfwidth Hangul filler', 0xffa0],
  ['Hangul choseong filler', 0x115f],
  ['combining grapheme joiner', 0x034f],
  ['Khmer inherent vowel', 0x17b5],
  ['Mongolian free variation selector', 0x180b],
  ['variation selector 16', 0xfe0f],
  ['variation selector 17', 0xe0100],
  ['Braille pattern blank', 0x2800],
  ['private use', 0xe000],
])('a contact name with a %s (after a space, or alone): 422 unprintable-character naming contacts.N.name and the character', (_what, code) => {
  const character = String.fromCodePoint(code);
  const problem = problemOf(() => parse(notificationSettingsInput, settings('Certificate desk', `Certificate ${character}desk`, character)));
  expect(problem.status).toBe(422);
  expect(problem.extra.errors!.map((e) => [e.field, e.rule])).toEqual([
    ['contacts.1.name', 'unprintable-character'],
    ['contacts.2.name', 'unprintable-character'],
  ]);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  expect(problem.extra.errors![0].message).toContain(`the invisible or unprintable character ${hex}`);
});

test('names as people write them pass, ZWNJ/ZWJ included; a name may be null or left out', () => {
  expect(
    parse(notificationSettingsInput, settings('Certificate desk', '  李雷  ', 'میخک\u200cها', 'क्\u200dष', "O'Neil <IT>", null, undefined)).contacts,
  ).toEqual([
    { email: 'c0@acme-group.com', name: 'Certificate desk' },
    { email: 'c1@acme-group.com', name: '李雷' },
    { email: 'c2@acme-group.com', name: 'میخک\u200cها' },
    { email: 'c3@acme-group.com', name: 'क्\u200dष' },
    { email: 'c4@acme-group.com', name: "O'Neil <IT>" },
    { email: 'c5@acme-group.com', name: null },
    { email: 'c6@acme-group.com' },
  ]);
});

test('a control character is still its own rule, reported once', () => {
  const problem = problemOf(() => parse(notificationSettingsInput, settings('Desk\u0007')));
  expect(problem.extra.errors!.map((e) => [e.field, e.rule])).toEqual([['contacts.0.name', 'control-character']]);
});
