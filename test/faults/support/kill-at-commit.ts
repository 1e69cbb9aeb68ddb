import { Client as PgClient } from 'pg';
import type { ServiceProcess } from './production';

export interface KillTarget {
  table: 'organizations' | 'administrators' | 'domains';
  id: string;
  op: 'UPDATE' | 'DELETE';
  /** For an update: the column that must change ... */
  column?: string;
  /** ... to this value (its text form), when given. */
  value?: string;
  label: string;
}

/**
 * Kills a process at the moment a chosen transaction commits, deterministically.
 *
 * A deferred constraint trigger (AFTER UPDATE/DELETE, FOR EACH ROW, run by COMMIT itself) matches the
 * armed target (table, row id, operation, the column that changed) and then
 * 1. calls `pg_notify('kill_worker', label)`, which PostgreSQL delivers only if the transaction commits;
 * 2. waits for an advisory lock the test holds (the gate).
 * The test sees the committing backend wait at the gate: the process has sent COMMIT and not yet had
 * its answer. It SIGKILLs the process group there, then opens the gate: the commit completes with
 * nobody left to hear it (the notification proves it committed). So the change is durable and the
 * activity that made it can never have reported it: no race with the kill.
 *
 * A target is consumed by the transaction that matches it (a rolled-back attempt leaves it armed).
 */
export interface KillAtCommit {
  /**
   * Arms one kill; `killed` resolves with the moment the commit completed after the kill. `atGate`
   * replaces the kill with another fault at the same moment (stopping Temporal or PostgreSQL); when it
   * takes PostgreSQL down, the commit never completes and `killed` resolves once the fault is done.
   */
  arm(target: KillTarget, atGate?: () => Promise<void>): Promise<{ killed: Promise<number> }>;
  /** Arms a target whose commit waits at the gate with no fault of its own: it is caught by the next armed one's. */
  hold(target: KillTarget): Promise<void>;
  /** How many commits wait at the gate now. */
  waiting(): Promise<number>;
  /** Labels of the kills so far, in order. */
  kills(): string[];
  close(): Promise<void>;
}

/** The gate's advisory lock key. */
const GATE = 7_262_001;

const SETUP = `
CREATE TABLE IF NOT EXISTS kill_at_commit_targets (tbl text NOT NULL, row_id text NOT NULL, op text NOT NULL, col text, val text, label text NOT NULL);
CREATE OR REPLACE FUNCTION kill_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target record;
  matched boolean := false;
  rid text := CASE WHEN TG_OP = 'DELETE' THEN OLD.id::text ELSE NEW.id::text END;
BEGIN
  FOR target IN
    DELETE FROM kill_at_commit_targets t
    WHERE t.tbl = TG_TABLE_NAME AND t.row_id = rid AND t.op = TG_OP
      AND (t.col IS NULL OR (to_jsonb(OLD) -> t.col) IS DISTINCT FROM (to_jsonb(NEW) -> t.col))
      AND (t.val IS NULL OR (to_jsonb(NEW) ->> t.col) = t.val)
    RETURNING t.label
  LOOP
    PERFORM pg_notify('kill_worker', target.label);
    matched := true;
  END LOOP;
  IF matched THEN
    -- The committer waits here, inside COMMIT, until the test has killed its client.
    SET LOCAL statement_timeout = 0;
    SET LOCAL lock_timeout = 0;
    PERFORM pg_advisory_xact_lock(${GATE});
  END IF;
  RETURN NULL;
END $$;
`;

const TABLES = ['organizations', 'administrators', 'domains'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Installs the trigger on the service's tables; `victim` is the process to kill (the worker). */
export async function killAtCommit(databaseUrl: string, victim: ServiceProcess): Promise<KillAtCommit> {
  const connect = async () => {
    const client = new PgClient({ connectionString: databaseUrl });
    await client.connect();
    return client;
  };
  const [listener, gate] = await Promise.all([connect(), connect()]);
  // A PostgreSQL outage (one of the faults a test may inject at the gate) ends these sessions: no crash.
  for (const client of [listener, gate]) client.on('error', () => undefined);
  await listener.query(SETUP);
  for (const table of TABLES) {
    await listener.query(`DROP TRIGGER IF EXISTS kill_at_commit ON ${table}`);
    await listener.query(
      `CREATE CONSTRAINT TRIGGER kill_at_commit AFTER UPDATE OR DELETE ON ${table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kill_at_commit()`,
    );
  }
  await gate.query('SELECT pg_advisory_lock($1)', [GATE]);
  const kills: string[] = [];
  const committed = new Map<string, (at: number) => void>();
  listener.on('notification', (message) => {
    if (message.channel !== 'kill_worker') return;
    const label = message.payload ?? '';
    kills.push(label);
    committed.get(label)?.(Date.now());
    committed.delete(label);
  });
  await listener.query('LISTEN kill_worker');
  let closed = false;

  /** Waits until a commit waits at the gate, kills the victim, opens the gate, closes it again once that commit is through. */
  async function killAtTheGate(label: string, done: Promise<number>, atGate: () => Promise<void>, held: number): Promise<void> {
    for (;;) {
      if (closed) return;
      if ((await waiting()) > held) break;
      await sleep(20);
    }
    await atGate();
    try {
      await gate.query('SELECT pg_advisory_unlock($1)', [GATE]);
    } catch {
      return; // PostgreSQL went down at the gate: that commit never completes
    }
    await Promise.race([done, sleep(10_000)]);
    await gate.query('SELECT pg_advisory_lock($1)', [GATE]);
    if (!kills.includes(label)) throw new Error(`kill-at-commit ${label}: the worker was killed at the gate but the commit never came`);
  }

  const insert = (target: KillTarget) =>
    listener.query('INSERT INTO kill_at_commit_targets (tbl, row_id, op, col, val, label) VALUES ($1, $2, $3, $4, $5, $6)', [
      target.table,
      target.id,
      target.op,
      target.column ?? null,
      target.value ?? null,
      target.label,
    ]);
  const waiting = async () => (await listener.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`, [GATE])).rowCount ?? 0;

  return {
    async hold(target) {
      await insert(target);
    },
    waiting,
    async arm(target, atGate = () => victim.kill('SIGKILL')) {
      const killed = new Promise<number>((resolve) => committed.set(target.label, resolve));
      await insert(target);
      const gated = killAtTheGate(target.label, killed, atGate, await waiting());
      return { killed: gated.then(() => (kills.includes(target.label) ? killed : Date.now())) };
    },
    kills: () => [...kills],
    async close() {
      closed = true;
      await listener.query('DELETE FROM kill_at_commit_targets').catch(() => undefined);
      for (const table of TABLES) await listener.query(`DROP TRIGGER IF EXISTS kill_at_commit ON ${table}`).catch(() => undefined);
      await Promise.all([listener.end(), gate.end()].map((p) => p.catch(() => undefined)));
    },
  };
}
