import type { LogEntry } from '@temporalio/worker';
import { MASKED_EMAIL, MASKED_PHONE, maskPersonalData, requestContext, serviceLogger, temporalLogWriter } from '../../src/log';

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

/** A logger configured as the service's, writing into `lines` (one parsed JSON object each). */
function capture(level: 'debug' | 'info' = 'debug') {
  const raw: string[] = [];
  const logger = serviceLogger({ write: (line: string) => void raw.push(line) }, level);
  return { logger, raw, lines: () => raw.map((line) => JSON.parse(line)) };
}

describe('the service log: JSON lines, personal data kept out in one place', () => {
  test('one JSON object a line with time, level, service and message', () => {
    const { logger, raw, lines } = capture();
    logger.info({ organizationId: 'o1' }, 'status changed');
    expect(raw).toHaveLength(1);
    expect(raw[0].endsWith('\n')).toBe(true);
    expect(raw[0].trim()).not.toContain('\n');
    expect(lines()[0]).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
      level: 'info',
      service: 'certificate-profiles',
      organizationId: 'o1',
      msg: 'status changed',
    });
  });

  test('messages, fields and errors are masked; keys that name personal data are redacted', () => {
    const { logger, raw } = capture();
    logger.warn('could not notify li.lei@acme.cn');
    logger.error({ err: new Error('duplicate key value (email)=(li.lei@acme.cn)'), detail: 'call +8613800138000' }, 'failed');
    logger.info({ administrator: { email: 'admin@例子.公司', phone: '138 0013 8000' }, note: 'landline 010 6552 9988' }, 'reached');
    const written = raw.join('');
    expect(written).toContain(`could not notify ${MASKED_EMAIL}`);
    expect(written).toContain(`(email)=(${MASKED_EMAIL})`);
    expect(written).toContain(`"detail":"call ${MASKED_PHONE}"`);
    expect(written).toContain('"administrator":{"email":"[redacted]","phone":"[redacted]"}');
    expect(written).toContain(`"note":"landline ${MASKED_PHONE}"`);
    for (const value of ['li.lei@acme.cn', 'admin@例子.公司', '8613800138000', '138 0013 8000', '6552']) expect(written).not.toContain(value);
    // The error is one line: its stack is a field of the JSON object.
    expect(raw).toHaveLength(3);
  });

  test('resolver and server addresses stay readable (not taken for phone numbers)', () => {
    expect(maskPersonalData('primary (10.255.255.53:53), 127.0.0.11:53, 8.8.8.8')).toBe('primary (10.255.255.53:53), 127.0.0.11:53, 8.8.8.8');
  });

  test('a line written while serving a request carries its id', () => {
    const { logger, lines } = capture();
    requestContext.run({ requestId: 'req-42' }, () => logger.info('inside'));
    logger.info('outside');
    expect(lines().map((l) => [l.msg, l.requestId])).toEqual([
      ['inside', 'req-42'],
      ['outside', undefined],
    ]);
  });

  test("the Temporal SDK's lines become service lines: metadata as fields, errors serialized, masked", () => {
    const { logger, lines } = capture('info');
    const write = temporalLogWriter(logger);
    const entry = (level: LogEntry['level'], message: string, meta?: Record<string, unknown>): LogEntry => ({ level, message, meta, timestampNanos: 0n });
    write(entry('WARN', 'activity failed for li.lei@acme.cn', { workflowId: 'administrator:42', phone: '+86 138 0013 8000', error: new Error('boom') }));
    write(entry('DEBUG', 'below the threshold: not written'));
    // Expected in this shape (an activity-only perspective worker): not a warning.
    write(entry('WARN', 'No workflows registered, not polling for workflow tasks', { taskQueue: 'q.perspective.east' }));
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'warn',
        sdk: true,
        msg: `activity failed for ${MASKED_EMAIL}`,
        workflowId: 'administrator:42',
        phone: '[redacted]',
        err: expect.objectContaining({ type: 'Error', message: 'boom', stack: expect.stringContaining('Error: boom') }),
      }),
    ]);
  });
});
