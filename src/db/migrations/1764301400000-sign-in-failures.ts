import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed sign-ins (a wrong token in the sign-in form or a wrong bearer token), counted per client
 * address and in all over a sliding window, in the database so that every instance refuses alike
 * (src/http/admin/sign-in-throttle.ts). A row per failure, deleted once out of the window: refused
 * attempts are not written, so the table never holds more than one window's worth of the limit.
 */
export class SignInFailures1764301400000 implements MigrationInterface {
  name = 'SignInFailures1764301400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sign_in_failure (
        id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        address text        NOT NULL,
        at      timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_sign_in_failure_at ON sign_in_failure (at)`);
    await q.query(`CREATE INDEX ix_sign_in_failure_address ON sign_in_failure (address, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sign_in_failure`);
  }
}
