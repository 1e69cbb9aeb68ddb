import { readinessBody } from '../../src/api/readiness';

describe('/readyz body', () => {
  test('ready: every check asked passed; checks not asked are left out', () => {
    expect(readinessBody({ database: true, temporal: true })).toEqual({ status: 'ready', checks: { database: true, temporal: true }, missing: [] });
    expect(readinessBody({ database: true, migrations: true, temporal: true, searchAttributes: true })).toMatchObject({ status: 'ready', missing: [] });
  });

  test('not ready: missing names the failed checks in a fixed order, with what setup must do', () => {
    const details = { migrations: '2 pending', searchAttributes: 'namespace default lacks search attributes AccountId (Keyword)' };
    expect(readinessBody({ database: true, migrations: false, temporal: true, searchAttributes: false, details })).toEqual({
      status: 'not ready',
      checks: { database: true, migrations: false, temporal: true, searchAttributes: false },
      missing: ['migrations', 'searchAttributes'],
      details,
    });
  });

  test('a check that could not be asked (its dependency is down) is null, not missing: the dependency is', () => {
    expect(readinessBody({ database: false, migrations: null, temporal: false, searchAttributes: null })).toEqual({
      status: 'not ready',
      checks: { database: false, migrations: null, temporal: false, searchAttributes: null },
      missing: ['database', 'temporal'],
    });
  });
});
