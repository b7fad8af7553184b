import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { NoBody } from '../common/validation';
import { ApiBearerAuth, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { processingRecord, toDestructionView, toRepresentation } from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { IdempotencyKey, type IdempotencyScope } from '../common/idempotency.middleware';
import { idParamSchema, textParamSchema } from '../common/fields';
import { ErrorResponses } from '../common/openapi';
import { trailView, verifyView } from '../kit/trail';
import { ContractIdPipe, InvoiceIdPipe } from './contract-id.pipe';
import { ContractCommands } from './contract-commands.service';
import { ContractQueries } from './contract-queries.service';
import { AcceptRenewalDto, HandOverCredentialsDto, OptionalReasonDto, ReasonDto } from './dto/commands.dto';
import { ListContractsQuery } from './dto/list-contracts.dto';
import { OrderContractDto } from './dto/order-contract.dto';
import { ContractListView, ContractView, DestructionView, EventsView, ProcessingRecordView, VerifyView } from './dto/views';

const IdParam = () => ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' });
const InvoiceParam = () => ApiParam({ name: 'invoiceId', schema: textParamSchema('invoiceId'), description: 'The invoice id the billing system sent.' });
const IdempotencyHeader = () =>
  ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes the POST safe to retry: the same key answers the first result again (24 h).' });

@ApiTags('contracts')
@ApiBearerAuth()
@ApiExtraModels(ContractView)
@Controller('contracts')
export class ContractsController {
  constructor(
    @Inject(ContractCommands) private readonly commands: ContractCommands,
    @Inject(ContractQueries) private readonly queries: ContractQueries,
  ) {}

  @Post()
  @Roles('account_manager')
  @IdempotencyHeader()
  @ApiOperation({ summary: 'Order a contract (L1). A second order with the same reference returns the first contract (200).' })
  @ApiCreatedResponse({ type: ContractView, description: 'Ordered.' })
  @ApiOkResponse({ type: ContractView, description: 'A contract with this reference already exists: it is returned.' })
  @ErrorResponses(400, 401, 403, 413, 422)
  async order(@Body() body: OrderContractDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() scope: IdempotencyScope | null, @Res({ passthrough: true }) res: Response) {
    const { created, snapshot } = await this.commands.order(body, principal, scope);
    res.status(created ? 201 : 200);
    return toRepresentation(snapshot.state);
  }

  @Get()
  @AnyRole()
  @ApiOperation({ summary: 'List and filter contracts, oldest order first, with cursor pagination.' })
  @ApiOkResponse({ type: ContractListView })
  @ErrorResponses(400, 401)
  async list(@Query() query: ListContractsQuery) {
    const { items, nextCursor } = await this.queries.list(query);
    return { items: items.map(toRepresentation), nextCursor };
  }

  @Get(':id')
  @AnyRole()
  @IdParam()
  @ApiOperation({ summary: 'A contract: status, key dates, renewals, destruction progress.' })
  @ApiOkResponse({ type: ContractView })
  @ErrorResponses(400, 401, 404)
  async get(@Param('id', ContractIdPipe) id: string) {
    return toRepresentation((await this.queries.found(id)).state);
  }

  @Get(':id/events')
  @Roles('dpo', 'admin')
  @IdParam()
  @ApiOperation({ summary: 'The audit trail: every event in version order, with its hash chain.' })
  @ApiOkResponse({ type: EventsView })
  @ErrorResponses(400, 401, 403, 404)
  async events(@Param('id', ContractIdPipe) id: string) {
    await this.queries.found(id);
    return trailView(await this.queries.events(id));
  }

  @Get(':id/events/verify')
  @Roles('dpo', 'admin')
  @IdParam()
  @ApiOperation({ summary: 'Recomputes the hash chain; names the first event that does not match.' })
  @ApiOkResponse({ type: VerifyView })
  @ErrorResponses(400, 401, 403, 404)
  async verify(@Param('id', ContractIdPipe) id: string) {
    await this.queries.found(id);
    return verifyView(await this.queries.verify(id));
  }

  @Get(':id/destruction')
  @AnyRole()
  @IdParam()
  @ApiOperation({ summary: 'Destruction progress per location, deadline, evidence and certificate (L8–L11).' })
  @ApiOkResponse({ type: DestructionView })
  @ErrorResponses(400, 401, 404)
  async destruction(@Param('id', ContractIdPipe) id: string) {
    return toDestructionView((await this.queries.found(id)).state);
  }

  @Get(':id/processing-record')
  @AnyRole()
  @IdParam()
  @ApiOperation({ summary: "The contract's record of processing (Art. 30(2)): the seed's catalog as the contract narrows it." })
  @ApiOkResponse({ type: ProcessingRecordView })
  @ErrorResponses(400, 401, 404)
  async record(@Param('id', ContractIdPipe) id: string) {
    return processingRecord((await this.queries.found(id)).state);
  }

  @Post(':id/credentials')
  @HttpCode(200)
  @Roles('account_manager')
  @IdParam()
  @IdempotencyHeader()
  @ApiOperation({ summary: 'Hand over access credentials (L2): processing starts. The secret is sealed at once and never returned.' })
  @ApiOkResponse({ type: ContractView })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async handOver(@Param('id', ContractIdPipe) id: string, @Body() body: HandOverCredentialsDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() scope: IdempotencyScope | null) {
    return toRepresentation((await this.commands.handOver(id, body, principal, scope)).state);
  }

  @Post(':id/renewals')
  @HttpCode(200)
  @Roles('billing')
  @IdParam()
  @IdempotencyHeader()
  @ApiOperation({ summary: 'Renewal invoice accepted (L3, L4): extends the term to the end of the covered period; idempotent per invoice.' })
  @ApiOkResponse({ type: ContractView })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async acceptRenewal(@Param('id', ContractIdPipe) id: string, @Body() body: AcceptRenewalDto, @CurrentPrincipal() principal: Principal) {
    return toRepresentation((await this.commands.acceptRenewal(id, body, principal)).state);
  }

  @Post(':id/renewals/:invoiceId/rejection')
  @HttpCode(200)
  @Roles('billing')
  @IdParam()
  @InvoiceParam()
  @IdempotencyHeader()
  @ApiOperation({ summary: 'The client rejected a renewal invoice: recorded; the term is unchanged.' })
  @ApiOkResponse({ type: ContractView })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async rejectRenewal(@Param('id', ContractIdPipe) id: string, @Param('invoiceId', InvoiceIdPipe) invoiceId: string, @Body() body: OptionalReasonDto, @CurrentPrincipal() principal: Principal) {
    return toRepresentation((await this.commands.rejectRenewal(id, invoiceId, body.reason ?? null, principal)).state);
  }

  @Post(':id/renewals/:invoiceId/withdrawal')
  @HttpCode(200)
  @Roles('billing')
  @IdParam()
  @InvoiceParam()
  @IdempotencyHeader()
  @ApiOperation({ summary: 'The billing system withdrew a renewal invoice: recorded; the term is unchanged.' })
  @ApiOkResponse({ type: ContractView })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async withdrawRenewal(@Param('id', ContractIdPipe) id: string, @Param('invoiceId', InvoiceIdPipe) invoiceId: string, @Body() body: OptionalReasonDto, @CurrentPrincipal() principal: Principal) {
    return toRepresentation((await this.commands.withdrawRenewal(id, invoiceId, body.reason ?? null, principal)).state);
  }

  @Post(':id/non-renewal')
  @HttpCode(200)
  @Roles('account_manager', 'billing')
  @IdParam()
  @IdempotencyHeader()
  @ApiOperation({ summary: 'Record that the client will not renew (L5): intent only; expiry still happens at term end.' })
  @ApiOkResponse({ type: ContractView })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async noticeNonRenewal(@Param('id', ContractIdPipe) id: string, @Body() body: OptionalReasonDto, @CurrentPrincipal() principal: Principal) {
    return toRepresentation((await this.commands.noticeNonRenewal(id, body.reason ?? null, principal)).state);
  }

  @Post(':id/termination')
  @HttpCode(200)
  @Roles('account_manager')
  @IdParam()
  @IdempotencyHeader()
  @ApiOperation({ summary: 'End processing now (L6); credentials are shredded and destruction is scheduled (L7, L8).' })
  @ApiOkResponse({ type: ContractView })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async terminate(@Param('id', ContractIdPipe) id: string, @Body() body: ReasonDto, @CurrentPrincipal() principal: Principal) {
    return toRepresentation((await this.commands.terminate(id, body.reason, principal)).state);
  }

  @Post(':id/cancellation')
  @HttpCode(200)
  @Roles('account_manager')
  @IdParam()
  @IdempotencyHeader()
  @ApiOperation({ summary: 'Withdraw an ordered contract before hand-over (L6).' })
  @ApiOkResponse({ type: ContractView })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async cancel(@Param('id', ContractIdPipe) id: string, @Body() body: ReasonDto, @CurrentPrincipal() principal: Principal) {
    return toRepresentation((await this.commands.cancel(id, body.reason, principal)).state);
  }

  @Post(':id/data-export')
  @HttpCode(200)
  @Roles('account_manager')
  @IdParam()
  @IdempotencyHeader()
  @ApiOperation({ summary: 'The controller asks for its data back inside the return window (L9): served before destruction starts.' })
  @ApiOkResponse({ type: ContractView })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async requestDataExport(@Param('id', ContractIdPipe) id: string, @NoBody() _body: undefined, @CurrentPrincipal() principal: Principal, @IdempotencyKey() scope: IdempotencyScope | null) {
    return toRepresentation((await this.commands.requestDataExport(id, principal, scope)).state);
  }
}
