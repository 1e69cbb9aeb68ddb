import { publicUrlConcern } from '../../src/dcv/public-url';

describe('publicUrlConcern: can customers reach DCV_PUBLIC_URL?', () => {
  it.each([
    ['http://127.0.0.1:3000', 'loopback'],
    ['http://localhost:3000/', 'loopback'],
    ['http://dcv.localhost', 'loopback'],
    ['http://[::1]:3000', 'loopback'],
    ['http://10.0.0.7', 'private'],
    ['https://192.168.1.20:8443', 'private'],
    ['http://172.16.5.4', 'private'],
    ['http://169.254.1.1', 'linkLocal'],
    ['http://100.64.0.1', 'carrierGradeNat'],
    ['http://[fd00::1]', 'uniqueLocal'],
    ['http://0.0.0.0:3000', 'unspecified'],
  ])('%s is a %s address: one sentence says so and why it matters', (url, range) => {
    expect(publicUrlConcern(url)).toBe(
      `DCV_PUBLIC_URL (${url}) is a ${range} address that customers' reverse proxies cannot reach, so the automatic file method cannot pass until it names the service's public address`,
    );
  });

  it.each(['https://dcv.example-ca.com', 'http://8.8.8.8:8080', 'https://[2001:4860:4860::8888]/'])('%s raises nothing', (url) => {
    expect(publicUrlConcern(url)).toBeUndefined();
  });

  it('a value that is not a URL is named', () => {
    expect(publicUrlConcern('dcv.example-ca.com')).toBe(
      "DCV_PUBLIC_URL (dcv.example-ca.com) is not a URL, so customers' reverse proxies have nothing to reach",
    );
  });
});
