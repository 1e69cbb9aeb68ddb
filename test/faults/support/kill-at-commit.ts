import { Client as PgClient } from 'pg';
import type { ServiceProcess } from './production';

/**
 * Kills a process at the moment a chosen transaction commits. A row trigger (AFTER UPDATE/DELETE, FOR
 * EACH ROW) matches the armed target (table, row id, operation and, for an update, the column that
 * must change) and calls `pg_notify('kill_worker', label)`. PostgreSQL delivers a notification only
 * when the transaction that sent it commits, so the LISTENing client here SIGKILLs the process group
 * right at the commit: the change is durable, the activity that made it never reports back.
 *
 * A target is consumed by the transaction that matches it (deleted in that transaction: a rolled-back
 * attempt leaves it armed).
 */
export interface KillAtCommit {
  /**
   * Arms one kill: the next committed `op` on `table` row `id` (changing `column`, for an update) kills
   * the process. Resolves once the trigger is armed; `killed` resolves with the moment of the kill.
   */
  arm(target: { table: 'organizations' | 'administrators' | 'domains'; id: string; op: 'UPDATE' | 'DELETE'; column?: string; label: string }): Promise<{ killed: Promise<number> }>;
  /** Labels of the kills so far, in order. */
  kills(): string[];
  close(): Promise<void>;
}

const SETUP = `
CREATE TABLE IF NOT EXISTS kill_at_commit_targets (tbl text NOT NULL, row_id text NOT NULL, op text NOT NULL, col text, label text NOT NULL);
CREATE OR REPLACE FUNCTION kill_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target record;
  rid text := CASE WHEN TG_OP = 'DELETE' THEN OLD.id::text ELSE NEW.id::text END;
BEGIN
  FOR target IN
    DELETE FROM kill_at_commit_targets t
    WHERE t.tbl = TG_TABLE_NAME AND t.row_id = rid AND t.op = TG_OP
      AND (t.col IS NULL OR (to_jsonb(OLD) -> t.col) IS DISTINCT FROM (to_jsonb(NEW) -> t.col))
    RETURNING t.label
  LOOP
    PERFORM pg_notify('kill_worker', target.label);
  END LOOP;
  RETURN NULL;
END $$;
`;

const TABLES = ['organizations', 'administrators', 'domains'];

/** Installs the trigger on the service's tables and LISTENs; `victim` is the process to kill (the worker). */
export async function killAtCommit(databaseUrl: string, victim: ServiceProcess): Promise<KillAtCommit> {
  const listener = new PgClient({ connectionString: databaseUrl });
  await listener.connect();
  await listener.query(SETUP);
  for (const table of TABLES) {
    await listener.query(`DROP TRIGGER IF EXISTS kill_at_commit ON ${table}`);
    await listener.query(`CREATE TRIGGER kill_at_commit AFTER UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION kill_at_commit()`);
  }
  const kills: string[] = [];
  const waiting = new Map<string, (at: number) => void>();
  listener.on('notification', (message) => {
    if (message.channel !== 'kill_worker') return;
    const pid = victim.pid();
    // Synchronously, before anything else runs here: the group, as ServiceProcess.kill does.
    if (pid && victim.running()) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const at = Date.now();
    const label = message.payload ?? '';
    kills.push(label);
    waiting.get(label)?.(at);
    waiting.delete(label);
  });
  await listener.query('LISTEN kill_worker');

  return {
    async arm({ table, id, op, column, label }) {
      const killed = new Promise<number>((resolve) => waiting.set(label, resolve));
      await listener.query('INSERT INTO kill_at_commit_targets (tbl, row_id, op, col, label) VALUES ($1, $2, $3, $4, $5)', [table, id, op, column ?? null, label]);
      return { killed };
    },
    kills: () => [...kills],
    async close() {
      await listener.query('DELETE FROM kill_at_commit_targets').catch(() => undefined);
      for (const table of TABLES) await listener.query(`DROP TRIGGER IF EXISTS kill_at_commit ON ${table}`).catch(() => undefined);
      await listener.end().catch(() => undefined);
    },
  };
}
