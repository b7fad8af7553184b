import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The renewal history moves out of the `contracts.state` document into `contract_renewals`, one
 * row per entry written once. A monthly contract gains a renewal a month, so the document grew
 * without end, and every event of the contract rewrote all of it (and its TOAST compression).
 * The document keeps everything else; readers put the lists back (`contractStateSql`).
 * Existing rows are split here; `down` folds them back.
 */
export class RenewalHistory1796000004000 implements MigrationInterface {
  readonly name = 'RenewalHistory1796000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contract_renewals (
        contract_id uuid    NOT NULL,
        outcome     text    NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'withdrawn')),
        seq         integer NOT NULL CHECK (seq > 0),
        invoice_id  text    NOT NULL,
        entry       jsonb   NOT NULL,
        PRIMARY KEY (contract_id, outcome, seq)
      )`);
    await q.query(`ALTER TABLE contract_renewals ALTER COLUMN entry SET STATISTICS 0`);
    for (const [outcome, list] of LISTS) {
      await q.query(
        `INSERT INTO contract_renewals (contract_id, outcome, seq, invoice_id, entry)
         SELECT c.id, $1, e.seq, e.entry->>'invoiceId', e.entry
         FROM contracts c, jsonb_array_elements(c.state->$2) WITH ORDINALITY AS e(entry, seq)`,
        [outcome, list],
      );
    }
    await q.query(`UPDATE contracts SET state = state - 'renewals' - 'rejectedRenewals' - 'withdrawnRenewals'`);
  }

  async down(q: QueryRunner): Promise<void> {
    const lists = LISTS.map(
      ([outcome, list]) =>
        `'${list}', coalesce((SELECT jsonb_agg(h.entry ORDER BY h.seq) FROM contract_renewals h WHERE h.contract_id = c.id AND h.outcome = '${outcome}'), '[]'::jsonb)`,
    );
    await q.query(`UPDATE contracts c SET state = c.state || jsonb_build_object(${lists.join(', ')})`);
    await q.query(`DROP TABLE contract_renewals`);
  }
}

/** Kept here rather than imported: a migration must not change when the code does. */
const LISTS = [
  ['accepted', 'renewals'],
  ['rejected', 'rejectedRenewals'],
  ['withdrawn', 'withdrawnRenewals'],
] as const;
