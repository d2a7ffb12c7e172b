import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * audit_entry: who did what on the street office's pages (src/audit): sign-ins, failed ones too,
 * CSV exports and the actions on a request. Append-only: triggers refuse UPDATE, DELETE and
 * TRUNCATE, so a bug (or a mistaken statement under the service's database login) cannot quietly
 * rewrite what happened; removing entries takes a deliberate ALTER TABLE … DISABLE TRIGGER by the
 * table's owner. No secrets and no phone numbers are ever written to it.
 */
export class AuditLog1764301900000 implements MigrationInterface {
  name = 'AuditLog1764301900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_entry (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at         timestamptz NOT NULL,
        action     text        NOT NULL,
        actor_id   text,
        actor_name text,
        address    text,
        request_no integer,
        detail     jsonb       NOT NULL DEFAULT '{}'::jsonb
      )`);
    // The page lists the newest first.
    await q.query(`CREATE INDEX ix_audit_entry_at ON audit_entry (at DESC, id DESC)`);
    await q.query(`
      CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
      FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_entry`);
    await q.query(`DROP FUNCTION audit_entry_append_only()`);
  }
}
