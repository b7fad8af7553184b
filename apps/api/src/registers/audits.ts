import { Body, Controller, HttpCode, Inject, Injectable, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { AUDIT_KINDS, auditStream, toAuditView, type AuditCommand, type AuditState, type AuditView } from '../../../../libs/domain/src';
import { type Principal } from '../../../../libs/infra/src/auth/api-keys';
import {
  auditWorkflowId,
  closeAuditUpdate,
  recordAuditPerformanceUpdate,
  recordFindingUpdate,
  remediateFindingUpdate,
  requestAuditUpdate,
  scheduleAuditUpdate,
  type AuditWorkflowInput,
} from '../../../../libs/infra/src/temporal/messages';
import { CurrentPrincipal } from '../auth/auth.guard';
import { Roles } from '../auth/roles.decorator';
import { idParamSchema, Instant, OptionalText, Text } from '../common/fields';
import { IdempotencyKey, type IdempotencyScope } from '../common/idempotency.middleware';
import { ErrorResponses } from '../common/openapi';
import { ContractIdPipe, UuidPipe } from '../contracts/contract-id.pipe';
import { ContractQueries } from '../contracts/contract-queries.service';
import { ContractFileReads, ContractFiles } from '../kit/contract-files';
import { actorOf, contractFor, FileCommands, newId, partiesOf } from '../kit/file-commands';
import { FileTrails } from '../kit/trail';

const now = () => new Date().toISOString();

export class RequestAuditDto {
  @ApiProperty({ enum: AUDIT_KINDS, description: 'A review of documents, or an inspection of premises (which comes with at least P14D notice).' })
  @IsIn(AUDIT_KINDS)
  kind!: string;

  @Instant({ example: '2027-03-01T09:00:00Z', description: 'When the controller asked for it.' })
  requestedAt!: string;

  @Text('assistanceText', { example: 'Physical security of the Paris datacenter' })
  scope!: string;

  @OptionalText('controllerName', { example: 'Audit & Co', description: 'The auditor the controller mandated.' })
  auditor?: string;
}

export class ScheduleAuditDto {
  @Instant({ example: '2027-03-15T09:00:00Z', description: 'When it takes place; moved by scheduling again, until it is performed.' })
  scheduledFor!: string;
}

export class RecordPerformanceDto {
  @Instant({ description: 'When it was carried out.' })
  performedAt!: string;

  @OptionalText('documentRef', { example: 'AUD-2027-07', description: "The auditor's report." })
  reportRef?: string;
}

export class RecordFindingDto {
  @Text('assistanceText', { example: 'The visitor log of the Paris datacenter is not kept' })
  summary!: string;

  @Instant({ example: '2027-04-15T00:00:00Z', description: 'When its remediation is due.' })
  remediationDueAt!: string;
}

export class RemediateFindingDto {
  @Instant({ description: 'When the finding was remediated.' })
  remediatedAt!: string;

  @Text('assistanceText', { example: 'A visitor log is kept at the desk and checked weekly' })
  summary!: string;
}

export class CloseAuditDto {
  @OptionalText('assistanceText', { example: 'All findings remediated' })
  summary?: string;
}

export class FindingRepresentation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ format: 'date-time' }) remediationDueAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) remediatedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) remediation!: string | null;
  @ApiProperty({ description: 'Remediated after its due date.' }) late!: boolean;
  @ApiProperty({ description: 'Past due and not remediated.' }) overdue!: boolean;
}

export class AuditRepresentation {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) contractId!: string;
  @ApiProperty({ enum: AUDIT_KINDS }) kind!: string;
  @ApiProperty({ enum: ['requested', 'scheduled', 'performed', 'closed'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty() scope!: string;
  @ApiProperty({ type: String, nullable: true }) auditor!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) scheduledFor!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'For an inspection: the earliest date it may be scheduled for.' }) earliestSchedule!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) performedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) reportRef!: string | null;
  @ApiProperty({ type: [FindingRepresentation] }) findings!: FindingRepresentation[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) closureSummary!: string | null;
  @ApiProperty({ type: [String], enum: ['scheduledFor', 'remediationDueAt'] }) overdue!: string[];
}

export class AuditListView {
  @ApiProperty({ type: [AuditRepresentation] }) items!: AuditRepresentation[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor!: string | null;
}

/** DESIGN §3.7: a contract's audits and inspections, each its own file and workflow. */
@Injectable()
export class Audits extends ContractFiles<AuditCommand, AuditState, AuditView> {
  constructor(@Inject(FileCommands) files: FileCommands, @Inject(ContractQueries) contracts: ContractQueries, @Inject(DataSource) dataSource: DataSource) {
    super({ table: 'audits', noun: 'audit', workflowId: auditWorkflowId, decide: auditStream.decide, view: toAuditView }, files, contracts, dataSource);
  }

  async request(contractId: string, body: RequestAuditDto, principal: Principal, scope: IdempotencyScope | null): Promise<{ created: boolean; view: AuditView }> {
    const contract = await contractFor(this.contracts, contractId);
    const auditId = newId(scope, `audit\n${contractId}`);
    const request = { auditId, contractId, kind: body.kind, requestedAt: body.requestedAt, scope: body.scope, auditor: body.auditor ?? null, contractOrderedAt: contract.orderedAt };
    this.files.refuseLocally(auditStream.decide, { type: 'RequestAudit', data: { ...request, recordedAt: now() } } as AuditCommand, auditStream.initialState());
    const input: AuditWorkflowInput = { auditId, parties: partiesOf(contract) };
    const opened = await this.files.open({ workflowType: 'auditWorkflow', workflowId: auditWorkflowId(auditId), input, update: requestAuditUpdate, args: { request, actor: actorOf(principal) } });
    if (!opened) return { created: false, view: await this.found(contractId, auditId) };
    return { created: opened.created, view: toAuditView(opened.state, now()) };
  }

  schedule(contractId: string, id: string, body: ScheduleAuditDto, p: Principal) {
    return this.send(contractId, id, { type: 'ScheduleAudit', data: { scheduledFor: body.scheduledFor, recordedAt: now() } }, (h) => h.executeUpdate(scheduleAuditUpdate, { args: [{ scheduledFor: body.scheduledFor, actor: actorOf(p) }] }));
  }

  perform(contractId: string, id: string, body: RecordPerformanceDto, p: Principal) {
    const reportRef = body.reportRef ?? null;
    return this.send(contractId, id, { type: 'RecordAuditPerformance', data: { performedAt: body.performedAt, reportRef, recordedAt: now() } }, (h) =>
      h.executeUpdate(recordAuditPerformanceUpdate, { args: [{ performedAt: body.performedAt, reportRef, actor: actorOf(p) }] }),
    );
  }

  /** A finding's id, under an Idempotency-Key the same for every retry: a retry cannot record it twice. */
  finding(contractId: string, id: string, body: RecordFindingDto, p: Principal, scope: IdempotencyScope | null) {
    const findingId = newId(scope, `audit-finding\n${id}`);
    const data = { findingId, summary: body.summary, remediationDueAt: body.remediationDueAt };
    return this.send(contractId, id, { type: 'RecordFinding', data: { ...data, recordedAt: now() } }, (h) => h.executeUpdate(recordFindingUpdate, { args: [{ ...data, actor: actorOf(p) }] }));
  }

  remediate(contractId: string, id: string, findingId: string, body: RemediateFindingDto, p: Principal) {
    const data = { findingId, remediatedAt: body.remediatedAt, summary: body.summary };
    return this.send(contractId, id, { type: 'RemediateFinding', data: { ...data, recordedAt: now() } }, (h) => h.executeUpdate(remediateFindingUpdate, { args: [{ ...data, actor: actorOf(p) }] }));
  }

  close(contractId: string, id: string, body: CloseAuditDto, p: Principal) {
    const summary = body.summary ?? null;
    return this.send(contractId, id, { type: 'CloseAudit', data: { summary, recordedAt: now() } }, (h) => h.executeUpdate(closeAuditUpdate, { args: [{ summary, actor: actorOf(p) }] }));
  }
}

const reads = ContractFileReads({ param: 'aid', noun: 'audit', plural: 'audits and inspections', view: AuditRepresentation, listView: AuditListView });
const findingId = new UuidPipe('finding id');
const IdempotencyHeader = () => ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes the POST safe to retry: the same key answers the first result again (24 h).' });

@ApiTags('registers')
@ApiBearerAuth()
@Controller('contracts/:id/audits')
export class AuditsController extends reads.Reads {
  constructor(
    @Inject(Audits) protected readonly store: Audits,
    @Inject(FileTrails) trails: FileTrails,
  ) {
    super(trails);
  }

  @Post()
  @Roles('account_manager', 'dpo')
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @IdempotencyHeader()
  @ApiOperation({ summary: 'C3, C4: the controller asks for an audit or an inspection. Status requested.' })
  @ApiCreatedResponse({ type: AuditRepresentation })
  @ApiOkResponse({ type: AuditRepresentation, description: 'The same audit again (its workflow had finished).' })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async record(@Param('id', ContractIdPipe) id: string, @Body() body: RequestAuditDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() scope: IdempotencyScope | null, @Res({ passthrough: true }) res: Response) {
    const { created, view } = await this.store.request(id, body, principal, scope);
    res.status(created ? 201 : 200);
    return view;
  }

  @Post(':aid/schedule')
  @HttpCode(200)
  @Roles('account_manager', 'dpo')
  @reads.params
  @ApiOperation({ summary: 'Schedules (or moves) it; an inspection of premises no earlier than P14D after the request (422 audit.short_notice). Status scheduled.' })
  @ApiOkResponse({ type: AuditRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  schedule(@Param('id', ContractIdPipe) id: string, @Param('aid', reads.id) aid: string, @Body() body: ScheduleAuditDto, @CurrentPrincipal() p: Principal) {
    return this.store.schedule(id, aid, body, p);
  }

  @Post(':aid/performance')
  @HttpCode(200)
  @Roles('account_manager', 'dpo')
  @reads.params
  @ApiOperation({ summary: 'It was carried out. Status performed: findings may now be recorded.' })
  @ApiOkResponse({ type: AuditRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  perform(@Param('id', ContractIdPipe) id: string, @Param('aid', reads.id) aid: string, @Body() body: RecordPerformanceDto, @CurrentPrincipal() p: Principal) {
    return this.store.perform(id, aid, body, p);
  }

  @Post(':aid/findings')
  @HttpCode(200)
  @Roles('account_manager', 'dpo')
  @reads.params
  @IdempotencyHeader()
  @ApiOperation({ summary: 'A finding of the performed audit, with its remediation due date (reminded P7D before, escalated to the DPO when it passes). Answers the audit, the finding last.' })
  @ApiOkResponse({ type: AuditRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  finding(@Param('id', ContractIdPipe) id: string, @Param('aid', reads.id) aid: string, @Body() body: RecordFindingDto, @CurrentPrincipal() p: Principal, @IdempotencyKey() scope: IdempotencyScope | null) {
    return this.store.finding(id, aid, body, p, scope);
  }

  @Post(':aid/findings/:fid/remediation')
  @HttpCode(200)
  @Roles('account_manager', 'dpo')
  @reads.params
  @ApiParam({ name: 'fid', schema: idParamSchema, description: 'Finding id' })
  @ApiOperation({ summary: 'The finding was remediated: when, and how (late when after its due date).' })
  @ApiOkResponse({ type: AuditRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  remediate(@Param('id', ContractIdPipe) id: string, @Param('aid', reads.id) aid: string, @Param('fid', findingId) fid: string, @Body() body: RemediateFindingDto, @CurrentPrincipal() p: Principal) {
    return this.store.remediate(id, aid, fid, body, p);
  }

  @Post(':aid/closure')
  @HttpCode(200)
  @Roles('account_manager', 'dpo')
  @reads.params
  @ApiOperation({ summary: 'Closes the audit once every finding is remediated (422 audit.findings_open otherwise). Status closed.' })
  @ApiOkResponse({ type: AuditRepresentation })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  close(@Param('id', ContractIdPipe) id: string, @Param('aid', reads.id) aid: string, @Body() body: CloseAuditDto, @CurrentPrincipal() p: Principal) {
    return this.store.close(id, aid, body, p);
  }
}
