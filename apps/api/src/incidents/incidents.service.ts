import { Inject, Injectable } from '@nestjs/common';
import { type WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import {
  breachNoticeStream,
  CANONICAL_UUID,
  CONTENT_FIELDS,
  incidentStream,
  isCalendarInstant,
  toBreachNoticeView,
  toIncidentView,
  type BreachNoticeCommand,
  type BreachNoticeState,
  type BreachNoticeView,
  type IncidentCommand,
  type IncidentState,
  type IncidentView,
} from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import {
  acknowledgeBreachNoticeUpdate,
  breachNoticeWorkflowId,
  closeIncidentUpdate,
  confirmIncidentUpdate,
  dismissIncidentUpdate,
  incidentWorkflowId,
  recordIncidentUpdate,
  updateIncidentUpdate,
  type Snapshot,
  type IncidentWorkflowInput,
} from '#infra/temporal/messages';
import { ApiError } from '../common/api-error';
import { type IdempotencyScope } from '../common/idempotency.middleware';
import { DEFAULT_PAGE, readCursor, toPage } from '../common/pagination';
import { ContractQueries } from '../contracts/contract-queries.service';
import { actorOf, FileCommands, newId, type Who } from '../kit/file-commands';
import { type AcknowledgeBreachNoticeDto, type CloseIncidentDto, type ConfirmIncidentDto, type DismissIncidentDto, type RecordIncidentDto, type UpdateIncidentDto } from './dto/incidents.dto';

const now = () => new Date().toISOString();
/** Affected contracts shown inside an incident; the rest are paged under /incidents/{id}/notices. */
const AFFECTED_SHOWN = 20;

const uuidCursor = (raw: string) => readCursor(raw, ([id, ...rest]) => (rest.length === 0 && typeof id === 'string' && CANONICAL_UUID.test(id) ? id : null));

/** The content fields a body gives (absent ones left out): the domain checks them. */
function contentOf(body: Partial<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(['summary', ...CONTENT_FIELDS].filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));
}

interface AffectedRow {
  contract_id: string;
  notice_id: string;
  controller_name: string;
  status: string | null;
  sent_at: string | null;
}

/** DESIGN §3.1: incidents (processor-wide) and the breach notices they open, each file's commands an update of its own workflow. */
@Injectable()
export class Incidents {
  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(ContractQueries) private readonly contracts: ContractQueries,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  async record(body: RecordIncidentDto, principal: Principal, scope: IdempotencyScope | null): Promise<{ created: boolean; view: IncidentView & Extra }> {
    const incidentId = newId(scope, 'incident');
    // DESIGN §3.8: a location a sub-processor change added can be named too.
    const added = ((await this.dataSource.query(`SELECT location_id FROM sub_processor_changes ORDER BY location_id`)) as { location_id: string }[]).map((r) => r.location_id);
    const record = { incidentId, detectedAt: body.detectedAt, scope: { ...body.scope }, content: contentOf(body as unknown as Record<string, unknown>), addedLocations: added };
    this.files.refuseLocally(incidentStream.decide, { type: 'RecordIncident', data: { ...record, recordedAt: now() } } as IncidentCommand, incidentStream.initialState());
    if (body.scope.contracts) {
      const known = (await this.dataSource.query(`SELECT id::text AS id, state->>'processingStartedAt' AS started FROM contracts WHERE id = ANY($1::uuid[])`, [body.scope.contracts])) as { id: string; started: string | null }[];
      const unknown = body.scope.contracts.filter((id) => !known.some((k) => k.id === id.toLowerCase()));
      if (unknown.length > 0) throw new ApiError(422, 'incident.unknown_contracts', `${unknown.length} contract(s) of the scope do not exist.`, { contracts: unknown });
      // A contract never handed over holds no data of its controller's: naming it is a mistake to say, not to drop.
      const idle = known.filter((k) => k.started === null).map((k) => k.id);
      if (idle.length > 0) throw new ApiError(422, 'incident.contracts_not_processing', `${idle.length} contract(s) of the scope never started processing: the processor holds none of their data.`, { contracts: idle });
    }
    const input: IncidentWorkflowInput = { incidentId, noticeTarget: this.files.config.breachNotices.target };
    const opened = await this.files.open({ workflowType: 'incidentWorkflow', workflowId: incidentWorkflowId(incidentId), input, update: recordIncidentUpdate, args: { record, actor: actorOf(principal) } });
    if (!opened) {
      // Its workflow has finished (dismissed, or closed): the domain answers a retry over the stored incident.
      const state = (await this.stored(incidentId))!;
      this.files.refuseLocally(incidentStream.decide, { type: 'RecordIncident', data: { ...record, recordedAt: now() } } as IncidentCommand, state);
      return { created: false, view: await this.withNotices(state) };
    }
    return { created: opened.created, view: await this.withNotices(opened.state) };
  }

  async confirm(id: string, body: ConfirmIncidentDto, principal: Principal) {
    return this.send(id, { type: 'ConfirmIncident', data: { awareAt: body.awareAt, confirmedAt: now() } }, (h) => h.executeUpdate(confirmIncidentUpdate, { args: [{ awareAt: body.awareAt, actor: actorOf(principal) }] }));
  }

  async dismiss(id: string, body: DismissIncidentDto, principal: Principal) {
    return this.send(id, { type: 'DismissIncident', data: { reason: body.reason, dismissedAt: now() } }, (h) => h.executeUpdate(dismissIncidentUpdate, { args: [{ reason: body.reason, actor: actorOf(principal) }] }));
  }

  async update(id: string, body: UpdateIncidentDto, principal: Principal) {
    const changes = contentOf(body as unknown as Record<string, unknown>);
    return this.send(id, { type: 'UpdateIncident', data: { changes, updatedAt: now() } }, (h) => h.executeUpdate(updateIncidentUpdate, { args: [{ changes, actor: actorOf(principal) }] }));
  }

  async close(id: string, body: CloseIncidentDto, principal: Principal) {
    return this.send(id, { type: 'CloseIncident', data: { summary: body.summary, closedAt: now() } }, (h) => h.executeUpdate(closeIncidentUpdate, { args: [{ summary: body.summary, actor: actorOf(principal) }] }));
  }

  private async send(id: string, command: IncidentCommand, call: (h: WorkflowHandle) => Promise<Snapshot<IncidentState>>): Promise<IncidentView & Extra> {
    const stored = await this.stored(id);
    if (!stored) throw new ApiError(404, 'not_found', 'No such incident.');
    return this.files.send(
      incidentWorkflowId(id),
      async (h) => this.withNotices((await call(h)).state),
      async () => {
        // The workflow has finished (dismissed, or closed with its notices): the domain answers over the stored state.
        const state = (await this.stored(id))!;
        this.files.refuseLocally(incidentStream.decide, command, state);
        return this.withNotices(state);
      },
    );
  }

  private async stored(id: string): Promise<IncidentState | null> {
    const [row] = (await this.dataSource.query(`SELECT state FROM incidents WHERE id = $1`, [id])) as { state: IncidentState }[];
    return row?.state ?? null;
  }

  async found(id: string): Promise<IncidentView & Extra> {
    const state = await this.stored(id);
    if (!state) throw new ApiError(404, 'not_found', 'No such incident.');
    return this.withNotices(state);
  }

  private async withNotices(state: IncidentState): Promise<IncidentView & Extra> {
    const view = toIncidentView(state);
    const counts = (await this.dataSource.query(`SELECT status, count(*)::int AS n FROM breach_notices WHERE incident_id = $1 GROUP BY status`, [view.id])) as { status: string; n: number }[];
    const { items } = await this.affected(view.id, { limit: AFFECTED_SHOWN });
    return { ...view, notices: Object.fromEntries(counts.map((c) => [c.status, c.n])), affected: items };
  }

  async list(query: { limit?: number; cursor?: string }): Promise<{ items: (IncidentView & Extra)[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = query.cursor
      ? readCursor(query.cursor, ([detectedAt, id, ...rest]) => (rest.length === 0 && isCalendarInstant(detectedAt) && typeof id === 'string' && CANONICAL_UUID.test(id) ? { detectedAt, id } : null))
      : null;
    const rows = (await this.dataSource.query(
      `SELECT id, detected_at, state FROM incidents WHERE ($1::timestamptz IS NULL OR (detected_at, id) < ($1, $2::uuid)) ORDER BY detected_at DESC, id DESC LIMIT $3`,
      [after?.detectedAt ?? null, after?.id ?? null, limit + 1],
    )) as { id: string; detected_at: Date; state: IncidentState }[];
    const page = toPage(rows, limit, (r) => r, (last) => [last.detected_at.toISOString(), last.id]);
    return { items: await Promise.all(page.items.map((r) => this.withNotices(r.state))), nextCursor: page.nextCursor };
  }

  /** The incident's affected contracts, by contract id, each with its notice's status. */
  async affected(id: string, query: { limit?: number; cursor?: string }) {
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = query.cursor ? uuidCursor(query.cursor) : null;
    const rows = (await this.dataSource.query(
      `SELECT a.contract_id, a.notice_id, c.controller_name, n.status, n.state->>'sentAt' AS sent_at
       FROM incident_contracts a JOIN contracts c ON c.id = a.contract_id LEFT JOIN breach_notices n ON n.id = a.notice_id
       WHERE a.incident_id = $1 AND ($2::uuid IS NULL OR a.contract_id > $2::uuid) ORDER BY a.contract_id LIMIT $3`,
      [id, after, limit + 1],
    )) as AffectedRow[];
    return toPage(
      rows,
      limit,
      (r) => ({ contractId: r.contract_id, noticeId: r.notice_id, controllerName: r.controller_name, noticeStatus: r.status, sentAt: r.sent_at }),
      (last) => [last.contract_id],
    );
  }

  // ── Breach notices ────────────────────────────────────────────────────────────────

  private async storedNotice(noticeId: string): Promise<BreachNoticeState | null> {
    const [row] = (await this.dataSource.query(`SELECT state FROM breach_notices WHERE id = $1`, [noticeId])) as { state: BreachNoticeState }[];
    return row?.state ?? null;
  }

  /** The notice as its read model holds it, or 404 (also when it belongs to another contract). */
  async notice(contractId: string, noticeId: string): Promise<BreachNoticeView> {
    const state = await this.storedNotice(noticeId);
    if (!state || state.status === 'none' || state.contractId !== contractId) throw new ApiError(404, 'not_found', 'No such breach notice for this contract.');
    return toBreachNoticeView(state, now());
  }

  async notices(contractId: string, query: { limit?: number; cursor?: string }): Promise<{ items: BreachNoticeView[]; nextCursor: string | null }> {
    await this.contracts.found(contractId);
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = query.cursor ? uuidCursor(query.cursor) : null;
    const rows = (await this.dataSource.query(`SELECT id, state FROM breach_notices WHERE contract_id = $1 AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $3`, [contractId, after, limit + 1])) as {
      id: string;
      state: BreachNoticeState;
    }[];
    const at = now();
    return toPage(rows, limit, (r) => toBreachNoticeView(r.state, at), (last) => [last.id]);
  }

  async acknowledge(contractId: string, noticeId: string, body: AcknowledgeBreachNoticeDto, principal: Who): Promise<BreachNoticeView> {
    await this.notice(contractId, noticeId);
    const command: BreachNoticeCommand = { type: 'AcknowledgeBreachNotice', data: { acknowledgedAt: body.acknowledgedAt, recordedAt: now() } };
    return this.files.send(
      breachNoticeWorkflowId(noticeId),
      async (h) => toBreachNoticeView((await h.executeUpdate(acknowledgeBreachNoticeUpdate, { args: [{ acknowledgedAt: body.acknowledgedAt, actor: actorOf(principal) }] })).state, now()),
      async () => {
        // Closed with its incident: the domain answers over the stored notice.
        const state = (await this.storedNotice(noticeId))!;
        let events: unknown[] = [];
        this.files.refuseLocally((c: BreachNoticeCommand, s: BreachNoticeState) => (events = breachNoticeStream.decide(c, s)), command, state);
        // The same acknowledgement again: the stored notice. A new one cannot be recorded on a closed notice.
        if (events.length === 0) return toBreachNoticeView(state, now());
        throw new ApiError(409, 'breach_notice.closed', 'The notice is closed with its incident: an acknowledgement can no longer be recorded.');
      },
    );
  }
}

export interface Extra {
  readonly notices: Record<string, number>;
  readonly affected: { contractId: string; noticeId: string; controllerName: string; noticeStatus: string | null; sentAt: string | null }[];
}
