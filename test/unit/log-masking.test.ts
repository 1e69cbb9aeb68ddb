import { DefaultLogger } from '@temporalio/worker';
import { log, MASKED_EMAIL, MASKED_PHONE, maskedTemporalLogLine, maskPersonalData } from '../../src/log';

describe('maskPersonalData', () => {
  test.each([
    ['li.lei@acme.cn', MASKED_EMAIL],
    ['Li.Lei+certs@Acme.CN', MASKED_EMAIL],
    ['admin@例子.公司', MASKED_EMAIL],
    ['admin@example.xn--fiqs8s', MASKED_EMAIL],
    ['<li.lei@acme.cn>', `<${MASKED_EMAIL}>`],
    ['"email":"li.lei@acme.cn"', `"email":"${MASKED_EMAIL}"`],
    ['"li lei"@acme.cn', MASKED_EMAIL],
    ['refused "li lei"@acme.cn: quoted', `refused ${MASKED_EMAIL}: quoted`],
    ['{"email":"\\"li lei\\"@acme.cn"}', `{"email":"\\${MASKED_EMAIL}"}`],
  ])('email %s', (text, masked) => expect(maskPersonalData(text)).toBe(masked));

  test.each([
    ['+8613800138000', MASKED_PHONE],
    ['+86 138 0013 8000', MASKED_PHONE],
    ['call +86 10 6552 9988 ext. 8001 now', `call ${MASKED_PHONE} now`],
    ['tel:+86-10-6552-9988;ext=8001', `tel:${MASKED_PHONE}`],
    ['+1 (202) 555-0143', MASKED_PHONE],
    ['+44 20 7946 0958', MASKED_PHONE],
    // National forms of China, as customers type them
    ['138 0013 8000', MASKED_PHONE],
    ['13800138000', MASKED_PHONE],
    ['010 6552 9988', MASKED_PHONE],
  ])('phone %s', (text, masked) => expect(maskPersonalData(text)).toBe(masked));

  test('what is not personal data stays readable', () => {
    const line =
      '2026-11-28T10:00:00.000Z POST /v1/organizations/550e8400-e29b-41d4-a716-446655440000/resubmit: 127.0.0.1:7233 answered 503 after 5000 ms (event 1234567, runId 0195a2b4-6c1e-7d3f-9a8b-123456789012)';
    expect(maskPersonalData(line)).toBe(line);
    expect(maskPersonalData('domain www.example.com, _dnsauth.example.com TXT')).toBe('domain www.example.com, _dnsauth.example.com TXT');
  });

  test('several in one line, each masked whole', () => {
    expect(maskPersonalData('Administrator li.lei@acme.cn (+86 138 0013 8000), landline 010 6552 9988')).toBe(
      `Administrator ${MASKED_EMAIL} (${MASKED_PHONE}), landline ${MASKED_PHONE}`,
    );
  });
});

describe('the loggers mask in one place', () => {
  afterEach(() => jest.restoreAllMocks());

  test('the service log masks messages, objects and errors', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const info = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    log.warn('[certificate-profiles] could not notify li.lei@acme.cn');
    log.error('failed:', new Error('duplicate key value (email)=(li.lei@acme.cn)'), { phone: '+8613800138000' });
    log.info('reached', { administrator: { email: 'admin@例子.公司', phone: '138 0013 8000' } });
    const written = [...warn.mock.calls, ...error.mock.calls, ...info.mock.calls].map((call) => call.join(' ')).join('\n');
    expect(written).toContain(`could not notify ${MASKED_EMAIL}`);
    expect(written).toContain(`(email)=(${MASKED_EMAIL})`);
    expect(written).toContain(`phone: '${MASKED_PHONE}'`);
    for (const value of ['li.lei@acme.cn', 'admin@例子.公司', '8613800138000', '138 0013 8000']) expect(written).not.toContain(value);
  });

  test("the Temporal SDK's logger (activities, workers, workflow sinks) masks message and metadata", () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const logger = new DefaultLogger('INFO', maskedTemporalLogLine);
    logger.warn('activity failed for li.lei@acme.cn', { workflowId: 'administrator:42', phone: '+86 138 0013 8000' });
    logger.debug('below the threshold: not written');
    expect(write).toHaveBeenCalledTimes(1);
    const line = String(write.mock.calls[0][0]);
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[WARN\] activity failed for \[email\] /);
    expect(line).toContain("workflowId: 'administrator:42'");
    expect(line).toContain(`phone: '${MASKED_PHONE}'`);
    expect(line).not.toContain('li.lei');
  });
});
