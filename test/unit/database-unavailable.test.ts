import { isDatabaseUnavailable } from '../../src/db/unavailable';

/** pg's errors carry the SQLSTATE in `code` (a DatabaseError) or the errno in `code` (a socket error). */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("the database refused or gone is an outage (503), never the client's fault or a bug (500)", () => {
  test.each([
    ['55000', 'database "profiles" is not currently accepting connections'],
    ['3D000', 'database "profiles" does not exist'],
    ['28P01', 'password authentication failed for user "cps"'],
    ['28000', 'no pg_hba.conf entry for host "10.0.0.5", user "cps", database "profiles"'],
    ['25006', 'cannot execute INSERT in a read-only transaction'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P03', 'the database system is starting up'],
    ['57P04', 'terminating connection because the database is being dropped'],
    ['53300', 'sorry, too many clients already'],
    ['08006', 'connection failure'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
  ])('%s: %s', (code, message) => {
    expect(isDatabaseUnavailable(pgError(code, message))).toBe(true);
    // Wrapped by Kysely or our own code, as `cause` or in an AggregateError.
    expect(isDatabaseUnavailable(new Error('query failed', { cause: pgError(code, message) }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([pgError(code, message)]))).toBe(true);
  });

  test.each([
    ['55000', 'currval of sequence "events_id_seq" is not yet defined in this session'],
    ['23505', 'duplicate key value violates unique constraint "domains_account_name"'],
    ['42P01', 'relation "organisations" does not exist'],
    ['22P02', 'invalid input syntax for type uuid: "x"'],
  ])('%s (%s) is a bug or a refusal, not an outage', (code, message) => {
    expect(isDatabaseUnavailable(pgError(code, message))).toBe(false);
  });
});
