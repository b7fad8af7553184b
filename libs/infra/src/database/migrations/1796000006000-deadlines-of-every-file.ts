import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { openClocks, type ContractState } from '../../../../domain/src';

const PAGE = 1_000;

/**
 * The `deadlines` read model holds the open clocks of every file (DESIGN §3.9), not only of
 * contracts: a row names its file by stream type and id, and the contract it belongs to when it
 * has one. A contract's clocks now stay open until what they ask for is done (a missed
 * destruction deadline stays, overdue, until the certificate), so the rows are computed afresh
 * from the contracts' states by the domain's rule.
 */
export class DeadlinesOfEveryFile1796000006000 implements MigrationInterface {
  readonly name = 'DeadlinesOfEveryFile1796000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deadlines`);
    await q.query(`
      CREATE TABLE deadlines (
        stream_type text COLLATE "C" NOT NULL,
        stream_id   text COLLATE "C" NOT NULL,
        kind        text NOT NULL,
        due_at      timestamptz NOT NULL,
        contract_id uuid,
        PRIMARY KEY (stream_type, stream_id, kind)
      )`);
    await q.query(`CREATE INDEX deadlines_due ON deadlines (due_at, stream_type, stream_id, kind)`);
    await q.query(`CREATE INDEX deadlines_contract ON deadlines (contract_id, due_at) WHERE contract_id IS NOT NULL`);
    // The contracts' clocks, from the stored states (the renewal history plays no part in them).
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await q.query(`SELECT id::text AS id, state FROM contracts WHERE id > $1::uuid ORDER BY id LIMIT $2`, [after, PAGE])) as { id: string; state: ContractState }[];
      const clocks = rows.flatMap((r) => openClocks(r.state).map((c) => ({ stream_id: r.id, kind: c.kind, due_at: c.at })));
      if (clocks.length) {
        await q.query(
          `INSERT INTO deadlines (stream_type, stream_id, kind, due_at, contract_id)
           SELECT 'contract', x.stream_id, x.kind, x.due_at, x.stream_id::uuid
           FROM jsonb_to_recordset($1::jsonb) AS x(stream_id text, kind text, due_at timestamptz)`,
          [JSON.stringify(clocks)],
        );
      }
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deadlines RENAME TO deadlines_of_files`);
    await q.query(`DROP INDEX deadlines_due`);
    await q.query(`
      CREATE TABLE deadlines (
        contract_id uuid NOT NULL,
        kind        text NOT NULL,
        due_at      timestamptz NOT NULL,
        PRIMARY KEY (contract_id, kind)
      )`);
    await q.query(`CREATE INDEX deadlines_due ON deadlines (due_at, kind)`);
    await q.query(`INSERT INTO deadlines (contract_id, kind, due_at) SELECT contract_id, kind, due_at FROM deadlines_of_files WHERE stream_type = 'contract'`);
    await q.query(`DROP TABLE deadlines_of_files`);
  }
}
