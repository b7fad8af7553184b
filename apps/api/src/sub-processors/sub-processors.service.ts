// Sub-processor changes (DESIGN §3.8), processor-wide, and each affected contract's notice of one: their commands through Temporal and their reads from the read models.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import {
  STORAGE_LOCATIONS,
  SUB_PROCESSORS,
  subProcessorChangeStream,
  subProcessorNoticeStream,
  toSubProcessorChangeView,
  toSubProcessorNoticeView,
  type SubProcessorChangeCommand,
  type SubProcessorChangeState,
  type SubProcessorChangeView,
  type SubProcessorNoticeCommand,
  type SubProcessorNoticeState,
  type SubProcessorNoticeView,
} from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { type AppConfig } from '#infra/config/config';
import { ID_NAMESPACE, subProcessorNoticeId } from '#infra/ids';
import { announceSubProcessorChangeUpdate, objectToSubProcessorChangeUpdate, subProcessorChangeWorkflowId, subProcessorNoticeWorkflowId, type SubProcessorChangeWorkflowInput } from '#infra/temporal/messages';
import { ApiError } from '../common/api-error';
import { type PageQuery } from '../common/pagination';
import { APP_CONFIG } from '../config/config.module';
import { ContractQueries } from '../contracts/contract-queries.service';
import { ContractFiles } from '../kit/contract-files';
import { actorOf, FileCommands, type Who } from '../kit/file-commands';
import { filesPage } from '../kit/file-pages';
import { type AnnounceSubProcessorChangeDto, type ObjectionDto } from './dto/sub-processors.dto';

const now = () => new Date().toISOString();

/** One change per new location: its id follows from the location's, so a repeat (or a race) names the same change. */
export const subProcessorChangeId = (locationId: string) => uuidv5(`sub-processor-change\n${locationId}`, ID_NAMESPACE);

/** DESIGN §3.8: sub-processor changes, processor-wide, each its own stream and workflow. */
@Injectable()
export class SubProcessorChanges {
  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async stored(id: string): Promise<SubProcessorChangeState | null> {
    const [row] = (await this.dataSource.query(`SELECT state FROM sub_processor_changes WHERE id = $1`, [id])) as { state: SubProcessorChangeState }[];
    return row?.state ?? null;
  }

  async found(id: string): Promise<SubProcessorChangeView> {
    const state = await this.stored(id);
    if (!state) throw new ApiError(404, 'not_found', 'No such sub-processor change.');
    return toSubProcessorChangeView(state);
  }

  list(query: PageQuery) {
    return filesPage(this.dataSource, 'sub_processor_changes', { where: 'true', params: [] }, query, toSubProcessorChangeView);
  }

  async all(): Promise<SubProcessorChangeView[]> {
    const rows = (await this.dataSource.query(`SELECT state FROM sub_processor_changes ORDER BY received_at DESC, id DESC`)) as { state: SubProcessorChangeState }[];
    return rows.map((r) => toSubProcessorChangeView(r.state));
  }

  /**
   * GDPR 28(2), 28(4): the register — the catalog's parties, then those a change in force engaged
   * (oldest first), each with its locations and sites — and every change announced, latest first.
   */
  async register() {
    const changes = await this.all();
    const engaged = changes
      .filter((c) => c.status === 'effective')
      .reverse()
      .map((c) => ({ id: c.id, name: c.subProcessor.name, kind: 'sub-processor', role: c.subProcessor.role, country: c.subProcessor.country, locations: [c.location.id], sites: [`${c.location.name}: ${c.location.site}`] }));
    return {
      items: [...SUB_PROCESSORS.map((s) => ({ ...s, locations: [...s.locations], sites: s.locations.map((id) => STORAGE_LOCATIONS.find((l) => l.id === id)!).map((l) => `${l.name}: ${l.site}`) })), ...engaged],
      changes,
    };
  }

  async announce(body: AnnounceSubProcessorChangeDto, principal: Principal): Promise<{ created: boolean; view: SubProcessorChangeView }> {
    const { change, effectiveAt } = body;
    const changeId = subProcessorChangeId(change.location.id);
    const added = (await this.dataSource.query(`SELECT location_id, status, state->>'replaces' AS replaces FROM sub_processor_changes`)) as { location_id: string; status: string; replaces: string | null }[];
    const pending = added.filter((r) => r.status !== 'effective').flatMap((r) => [r.location_id, ...(r.replaces ? [r.replaces] : [])]);
    const announcement = {
      kind: change.kind,
      subProcessor: change.subProcessor,
      location: change.location,
      replaces: change.replaces ?? null,
      effectiveAt,
      objectionPeriod: this.config.subProcessors.objectionPeriod,
      knownLocations: [...STORAGE_LOCATIONS.map((l) => l.id), ...added.map((r) => r.location_id)],
      pendingLocations: pending,
    };
    const command: SubProcessorChangeCommand = { type: 'AnnounceSubProcessorChange', data: { changeId, ...announcement, announcedAt: now() } };
    this.files.refuseLocally(subProcessorChangeStream.decide, command, (await this.stored(changeId)) ?? subProcessorChangeStream.initialState());
    const input: SubProcessorChangeWorkflowInput = { changeId };
    const opened = await this.files.open({ workflowType: 'subProcessorChangeWorkflow', workflowId: subProcessorChangeWorkflowId(changeId, this.config.temporal.taskQueue), input, update: announceSubProcessorChangeUpdate, args: { announcement, actor: actorOf(principal) } });
    if (!opened) return { created: false, view: await this.found(changeId) };
    return { created: opened.created, view: toSubProcessorChangeView(opened.state) };
  }
}

/** Each affected contract's notice of a change, found under the contract by the change's id. */
@Injectable()
export class SubProcessorNotices extends ContractFiles<SubProcessorNoticeCommand, SubProcessorNoticeState, SubProcessorNoticeView> {
  constructor(@Inject(FileCommands) files: FileCommands, @Inject(ContractQueries) contracts: ContractQueries, @Inject(DataSource) dataSource: DataSource) {
    super({ table: 'sub_processor_notices', noun: 'sub-processor change', workflowId: subProcessorNoticeWorkflowId, decide: subProcessorNoticeStream.decide, view: toSubProcessorNoticeView }, files, contracts, dataSource);
  }

  object(contractId: string, changeId: string, body: ObjectionDto, principal: Who) {
    const command: SubProcessorNoticeCommand = { type: 'ObjectToSubProcessorChange', data: { reason: body.reason, objectedAt: now() } };
    return this.send(contractId, subProcessorNoticeId(changeId, contractId), command, (h) => h.executeUpdate(objectToSubProcessorChangeUpdate, { args: [{ reason: body.reason, actor: actorOf(principal) }] }));
  }
}
