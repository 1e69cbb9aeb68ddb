import { publicUrlConcern } from '../../src/dcv/public-url';

describe('publicUrlConcern: can customers reach DCV_PUBLIC_URL?', () => {
  it.each([
    ['http://127.0.0.1:3000', 'Loopback'],
    ['http://localhost:3000/', 'Loopback'],
    ['http://dcv.localhost', 'Loopback'],
    ['http://[::1]:3000', 'Loopback Address'],
    ['http://10.0.0.7', 'Private-Use'],
    ['https://192.168.1.20:8443', 'Private-Use'],
    ['http://172.16.5.4', 'Private-Use'],
    ['http://169.254.1.1', 'Link Local'],
    ['http://100.64.0.1', 'Shared Address Space'],
    ['http://[fd00::1]', 'Unique-Local'],
    ['http://0.0.0.0:3000', 'This host on this network'],
  ])('%s is not public (%s): one sentence says so and why it matters', (url, range) => {
    expect(publicUrlConcern(url)).toBe(
      `DCV_PUBLIC_URL (${url}) is not a public address (${range}): customers' reverse proxies cannot reach it, so the automatic file method cannot pass until it names the service's public address`,
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
