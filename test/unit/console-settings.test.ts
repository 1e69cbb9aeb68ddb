import { loadConfig } from '../../src/config';
import { sessionCookies } from '../../src/console/session';
import { localPath } from '../../src/console/context';
import { csrfKeyOf, csrfToken, csrfValid } from '../../src/console/csrf';

test('the console is served over HTTPS with Secure __Host- cookies when its public address is https, or when told', () => {
  const local = loadConfig({}).console;
  expect(local).toMatchObject({ publicUrl: 'http://127.0.0.1:3000', secureCookies: false, loginMaxFailures: 5 });
  expect(sessionCookies(local)).toMatchObject({ session: 'cps_session', options: { httpOnly: true, sameSite: 'lax', secure: false, path: '/' } });
  const public_ = loadConfig({ CONSOLE_PUBLIC_URL: 'https://console.example.com/' }).console;
  expect(public_).toMatchObject({ publicUrl: 'https://console.example.com', secureCookies: true });
  expect(sessionCookies(public_)).toMatchObject({ session: '__Host-cps_session', preSession: '__Host-cps_pre', options: { secure: true } });
  expect(loadConfig({ CONSOLE_PUBLIC_URL: 'https://console.example.com', CONSOLE_SECURE_COOKIES: 'false' }).console.secureCookies).toBe(false);
  expect(() => loadConfig({ CONSOLE_SECURE_COOKIES: 'yes' })).toThrow('CONSOLE_SECURE_COOKIES: "yes" is not true or false');
  expect(() => loadConfig({ CONSOLE_PUBLIC_URL: 'ftp://x' })).toThrow('CONSOLE_PUBLIC_URL');
  expect(() => loadConfig({ LOGIN_MAX_FAILURES: '0' })).toThrow('LOGIN_MAX_FAILURES');
  expect(() => loadConfig({ REVIEW_CLAIM_TTL: 'soon' })).toThrow('REVIEW_CLAIM_TTL');
  expect(loadConfig({ TRUST_PROXY: '1' }).console.trustProxy).toBe(1);
  expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).console.trustProxy).toBe('loopback, 10.0.0.0/8');
  expect(local.trustProxy).toBeUndefined();
});

test('redirect targets taken from requests stay inside the console', () => {
  expect(localPath('/console/organizations/1?notice=x')).toBe('/console/organizations/1?notice=x');
  for (const outside of ['https://evil.example/', '//evil.example/console', '/v1/organizations', '/console\\@evil.example', undefined, 42]) {
    expect(localPath(outside)).toBe('/console/');
  }
});

test('a CSRF token is bound to its cookie and compared in constant time', () => {
  const key = csrfKeyOf(Buffer.alloc(32, 9));
  const token = csrfToken(key, 'session-a');
  expect(csrfValid(key, 'session-a', token)).toBe(true);
  expect(csrfValid(key, 'session-b', token)).toBe(false);
  expect(csrfValid(key, undefined, token)).toBe(false);
  expect(csrfValid(key, 'session-a', undefined)).toBe(false);
  expect(csrfValid(key, 'session-a', `${token}x`)).toBe(false);
  expect(csrfValid(csrfKeyOf(Buffer.alloc(32, 8)), 'session-a', token)).toBe(false);
});
