import { domainDetails, markdownText, profileDetails, reviewOverdue, TERMINAL_STATUSES } from '../../src/domain/operator-view';

describe('markdownText', () => {
  test('escapes what would format, link or embed, and keeps names readable', () => {
    expect(markdownText('Acme Network Technology Co., Ltd.')).toBe('Acme Network Technology Co., Ltd.');
    expect(markdownText('*Bold* _x_ [link](http://a) <b> `c` a|b ~s~ &amp; \\')).toBe(
      '\\*Bold\\* \\_x\\_ \\[link\\](http://a) \\<b\\> \\`c\\` a\\|b \\~s\\~ \\&amp; \\\\',
    );
    expect(markdownText('two\nlines\r\nhere')).toBe('two lines here');
  });
});

describe('reviewOverdue', () => {
  const due = '2026-12-01T00:00:00.000Z';
  test('after the first reminder (the next one lies past the due time), while under review', () => {
    expect(reviewOverdue({ status: 'under_review', dueAt: due, nextReminderAt: due })).toBe(false);
    expect(reviewOverdue({ status: 'under_review', dueAt: due, nextReminderAt: '2026-12-01T04:00:00.000Z' })).toBe(true);
    expect(reviewOverdue({ status: 'approved', dueAt: null, nextReminderAt: null })).toBe(false);
    // States recorded before the due time was kept.
    expect(reviewOverdue({ status: 'under_review', nextReminderAt: '2026-12-01T04:00:00.000Z' })).toBe(false);
  });
});

describe('details', () => {
  const state = { status: 'under_review', dueAt: '2026-12-01T00:00:00.000Z', nextReminderAt: '2026-12-01T00:00:00.000Z', expiringAt: null, validUntil: null };

  test('an administrator names its organization by legal name and id, its status and due time', () => {
    expect(profileDetails('administrator', 'a1', 'o1', 'Acme *Ltd*', state)).toBe(
      ['Administrator `a1`', 'Organization: **Acme \\*Ltd\\*** (`o1`)', 'Status: **under_review**', 'Review due: 2026-12-01T00:00:00.000Z'].join('\n'),
    );
  });

  test('terminal statuses say so; a name not known yet says that', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['expired', 'failed', 'rejected']);
    const text = profileDetails('organization', 'o1', 'o1', undefined, { ...state, status: 'rejected', dueAt: null });
    expect(text).toContain('Organization: (name not known yet)');
    expect(text).toContain('Status: **rejected** (terminal');
  });

  test('a domain shows its name, method, attention and the times that matter in its status', () => {
    const domain = { id: 'd1', name: 'www.example.com', method: 'dns_txt' };
    const pending = {
      status: 'pending',
      randomValueExpiresAt: '2026-12-30T00:00:00.000Z',
      validUntil: null,
      revalidateAt: null,
      needsAttention: true,
      renewing: false,
    };
    expect(domainDetails(domain, 'Acme', pending)).toBe(
      [
        'Domain **www.example.com** (`d1`), method dns_txt',
        'Organization: **Acme**',
        'Status: **pending**',
        "Needs attention: see the domain's attentionReason (API) or its audit trail",
        'Random value expires: 2026-12-30T00:00:00.000Z',
      ].join('\n'),
    );
    const validated = {
      ...pending,
      status: 'validated',
      needsAttention: false,
      validUntil: '2027-06-01T00:00:00.000Z',
      revalidateAt: '2027-05-01T00:00:00.000Z',
    };
    expect(domainDetails(domain, 'Acme', validated)).toContain('Valid until: 2027-06-01T00:00:00.000Z\nRevalidates from: 2027-05-01T00:00:00.000Z');
  });
});
