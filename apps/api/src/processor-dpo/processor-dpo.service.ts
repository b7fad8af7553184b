// The processor's DPO (DESIGN §3.6): its stream's state, its change through its workflow, and the processing record read from the read models, page by page.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ACTING_STATUSES,
  controllerIdentity,
  ControllerTallies,
  isActing,
  PROCESSOR_DPO_ID,
  processorDpoStream,
  processorRecordHead,
  processorRecordRows,
  toProcessorDpoView,
  type ContractState,
  type DpoContact,
  type ProcessorDpoCommand,
  type ProcessorDpoState,
  type ProcessorDpoView,
  type ProcessorRecordHead,
  type ProcessorRecordRow,
  type RecordedTransfer,
  type TransferNoticeState,
} from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { type AppConfig } from '#infra/config/config';
import { processorDpoWorkflowId, setDpoUpdate, type ProcessorDpoWorkflowInput } from '#infra/temporal/messages';
import { APP_CONFIG } from '../config/config.module';
import { actorOf, FileCommands } from '../kit/file-commands';
import { type SetDpoDto } from './dto/processor-dpo.dto';
import { RECORD_BATCH, RECORD_CONTROLLERS, type RecordCursor } from './processing-record';

const now = () => new Date().toISOString();

/** DESIGN §3.6: the processor's DPO, one stream owned by one workflow. */
@Injectable()
export class ProcessorDpo {
  /** The DPO the configuration names, until an admin changes it. */
  readonly configured: DpoContact;

  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.configured = { name: config.processor.dpoName, email: config.processor.dpoEmail, phone: config.processor.dpoPhone };
  }

  async state(): Promise<ProcessorDpoState> {
    const [row] = (await this.dataSource.query(`SELECT state FROM processor_dpo WHERE id = $1`, [PROCESSOR_DPO_ID])) as { state: ProcessorDpoState }[];
    return row?.state ?? { status: 'none' };
  }

  async current(): Promise<ProcessorDpoView> {
    return toProcessorDpoView(await this.state(), this.configured);
  }


  async set(body: SetDpoDto, principal: Principal): Promise<ProcessorDpoView> {
    const command: ProcessorDpoCommand = { type: 'SetDpo', data: { name: body.name, email: body.email, phone: body.phone ?? null, source: 'admin', recordedAt: now() } };
    this.files.refuseLocally(processorDpoStream.decide, command, await this.state());
    const input: ProcessorDpoWorkflowInput = { configured: this.configured };
    const opened = await this.files.open({ workflowType: 'processorDpoWorkflow', workflowId: processorDpoWorkflowId(PROCESSOR_DPO_ID, this.files.config.temporal.taskQueue), input, update: setDpoUpdate, args: { name: body.name, email: body.email, phone: body.phone ?? null, actor: actorOf(principal) } });
    return opened ? toProcessorDpoView(opened.state, this.configured) : this.current();
  }

  /** GDPR 30(2): what the record says once (when, the processor, its DPO now, the security measures). */
  async recordHead(): Promise<ProcessorRecordHead> {
    const { name, email, phone } = await this.current();
    return processorRecordHead({ name, email, phone }, now());
  }

  /**
   * GDPR 30(2) across every controller: up to `limit` rows after `after`, one per contract the
   * processor acts for (ordered, active or awaiting destruction), in the order of their orders (ordered_at,
   * then id: a contract ordered meanwhile comes after, none is skipped or repeated), each with the
   * cursor that names it. Each read is bounded by `limit`, not by the number of contracts. `known`:
   * controllers already looked up (a stream's), not looked up again.
   */
  async recordRows(limit: number, after: RecordCursor | null, known: ControllerTallies = new ControllerTallies()): Promise<{ row: ProcessorRecordRow; cursor: RecordCursor }[]> {
    const page = (await this.dataSource.query(
      `SELECT id, to_char(ordered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ordered_key, state FROM contracts
        WHERE status = ANY($1) AND ($2::text IS NULL OR (ordered_at, id) > ($2::timestamptz, $3::uuid))
        ORDER BY ordered_at, id LIMIT $4`,
      [[...ACTING_STATUSES], after?.orderedAt ?? null, after?.id ?? null, limit],
    )) as { id: string; ordered_key: string; state: ContractState }[];
    if (page.length === 0) return [];
    const states = page.map((r) => r.state);
    const [tallies, transfers] = await Promise.all([this.controllersOf(states, known), this.transfersOf(page.map((r) => r.id))]);
    const rows = processorRecordRows(states, tallies, transfers);
    // The status column is the state's: every row read is one the processor acts for.
    if (rows.length !== page.length) throw new Error('contracts: a row whose status column and state disagree');
    return rows.map((row, i) => ({ row, cursor: { orderedAt: page[i]!.ordered_key, id: page[i]!.id } }));
  }

  /**
   * Every row of the record, `size` at a time: one batch in memory, and the entries of at most
   * RECORD_CONTROLLERS controllers (each looked up once while it is held), whatever the number of contracts.
   */
  async *recordBatches(size: number = RECORD_BATCH): AsyncGenerator<ProcessorRecordRow[]> {
    const known = new ControllerTallies();
    let after: RecordCursor | null = null;
    for (;;) {
      const rows = await this.recordRows(size, after, known);
      known.keepAtMost(RECORD_CONTROLLERS);
      if (rows.length > 0) yield rows.map((r) => r.row);
      if (rows.length < size) return;
      after = rows[rows.length - 1]!.cursor;
    }
  }

  /**
   * The entries of the controllers of `contracts`, from every contract of theirs the processor acts
   * for. PostgreSQL groups them (its identity is at least as fine as the domain's, which then
   * decides) and sends, per controller, its latest order and one contract for each distinct
   * selection (catalog, former and added locations: what an entry unites), not every contract.
   * Controllers known by email are found through the email index; those known by customer id by a
   * scan of the contracts (no index holds the customer id: docs/known-limits.md). Those `known`
   * holds already are not looked up again; the others are added to it.
   */
  private async controllersOf(contracts: readonly ContractState[], known: ControllerTallies): Promise<ControllerTallies> {
    const acting = contracts.filter(isActing);
    const identities = new Set(acting.map((c) => controllerIdentity(c.controller)).filter((identity) => !known.has(identity)));
    for (const c of acting) known.add(c);
    if (identities.size === 0) return known;
    const of = (kind: string) => [...identities].filter((i) => i.startsWith(`${kind}:`)).map((i) => i.slice(kind.length + 1));
    const states = (await this.dataSource.query(
      // Sorts light keys only; a chosen contract's state is sent unless the caller has it already ($4).
      `WITH theirs AS (
         SELECT id, ordered_at, 'email:' || lower(controller_email) AS ident, state->'catalog' AS catalog, state->'formerLocations' AS former, state->'addedLocations' AS added FROM contracts
          WHERE status = ANY($1) AND lower(controller_email) = ANY($3::text[]) AND coalesce(state->'controller'->>'customerId', '') = ''
         UNION ALL
         SELECT id, ordered_at, 'customer:' || (state->'controller'->>'customerId'), state->'catalog', state->'formerLocations', state->'addedLocations' FROM contracts
          WHERE cardinality($2::text[]) > 0 AND status = ANY($1) AND state->'controller'->>'customerId' = ANY($2::text[])),
       chosen AS (
         (SELECT DISTINCT ON (ident) id FROM theirs ORDER BY ident, ordered_at DESC, id)
         UNION
         (SELECT DISTINCT ON (ident, catalog, former, added) id FROM theirs))
       SELECT CASE WHEN c.id = ANY($4::uuid[]) THEN NULL ELSE c.state END AS state FROM contracts c JOIN chosen USING (id)`,
      [[...ACTING_STATUSES], of('customer'), of('email'), acting.map((c) => c.contractId)],
    )) as { state: ContractState | null }[];
    for (const { state } of states) if (state && isActing(state) && identities.has(controllerIdentity(state.controller))) known.add(state);
    return known;
  }

  /** The transfers the law required (P2) of these contracts, oldest first. */
  private async transfersOf(contractIds: readonly string[]): Promise<RecordedTransfer[]> {
    const rows = (await this.dataSource.query(`SELECT state FROM transfer_notices WHERE contract_id = ANY($1::uuid[]) ORDER BY received_at, id`, [contractIds])) as {
      state: Extract<TransferNoticeState, { contractId: string }>;
    }[];
    return rows.map(({ state: t }) => ({ contractId: t.contractId, destination: t.destination, legalObligation: t.legalObligation, plannedAt: t.plannedAt }));
  }
}
