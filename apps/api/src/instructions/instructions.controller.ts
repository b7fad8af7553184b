import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { type Principal } from '../../../../libs/infra/src/auth/api-keys';
import { CurrentPrincipal } from '../auth/auth.guard';
import { AnyRole, Roles } from '../auth/roles.decorator';
import { idParamSchema } from '../common/fields';
import { IdempotencyKey, type IdempotencyScope } from '../common/idempotency.middleware';
import { ErrorResponses } from '../common/openapi';
import { ContractIdPipe, UuidPipe } from '../contracts/contract-id.pipe';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { FileTrails } from '../kit/trail';
import { DocumentInstructionDto, InstructionListView, InstructionView, ListInstructionsQuery, ObjectToInstructionDto } from './instructions.dto';
import { Instructions } from './instructions.service';

const Params = () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
  ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })(target, key, descriptor);
  ApiParam({ name: 'iid', schema: idParamSchema, description: 'Instruction id' })(target, key, descriptor);
};
const instructionId = new UuidPipe('instruction id');

@ApiTags('instructions')
@ApiBearerAuth()
@Controller('contracts/:id/instructions')
export class InstructionsController {
  constructor(
    @Inject(Instructions) private readonly instructions: Instructions,
    @Inject(FileTrails) private readonly trails: FileTrails,
  ) {}

  @Post()
  @Roles('account_manager')
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes the POST safe to retry: the same key answers the first result again (24 h).' })
  @ApiOperation({ summary: 'P2, C2: document an instruction of the controller (received when, by which channel, what, under which document). Status documented.' })
  @ApiCreatedResponse({ type: InstructionView })
  @ApiOkResponse({ type: InstructionView, description: 'The same instruction again (its workflow had finished).' })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async document(@Param('id', ContractIdPipe) id: string, @Body() body: DocumentInstructionDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() scope: IdempotencyScope | null, @Res({ passthrough: true }) res: Response) {
    const { created, view } = await this.instructions.document(id, body, principal, scope);
    res.status(created ? 201 : 200);
    return view;
  }

  @Get()
  @AnyRole()
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @ApiOperation({ summary: "The contract's documented instructions, oldest first." })
  @ApiOkResponse({ type: InstructionListView })
  @ErrorResponses(400, 401, 404)
  list(@Param('id', ContractIdPipe) id: string, @Query() query: ListInstructionsQuery) {
    return this.instructions.list(id, query);
  }

  @Get(':iid')
  @AnyRole()
  @Params()
  @ApiOperation({ summary: 'One instruction.' })
  @ApiOkResponse({ type: InstructionView })
  @ErrorResponses(400, 401, 404)
  get(@Param('id', ContractIdPipe) id: string, @Param('iid', instructionId) iid: string) {
    return this.instructions.found(id, iid);
  }

  @Get(':iid/events')
  @Roles('dpo', 'admin')
  @Params()
  @ApiOperation({ summary: "The instruction's trail: every event in version order, with its hash chain." })
  @ApiOkResponse({ type: EventsView })
  @ErrorResponses(400, 401, 403, 404)
  async events(@Param('id', ContractIdPipe) id: string, @Param('iid', instructionId) iid: string) {
    await this.instructions.found(id, iid);
    return this.trails.events(iid);
  }

  @Get(':iid/events/verify')
  @Roles('dpo', 'admin')
  @Params()
  @ApiOperation({ summary: "Recomputes the instruction's hash chain; names the first event that does not match." })
  @ApiOkResponse({ type: VerifyView })
  @ErrorResponses(400, 401, 403, 404)
  async verify(@Param('id', ContractIdPipe) id: string, @Param('iid', instructionId) iid: string) {
    await this.instructions.found(id, iid);
    return this.trails.verify(iid);
  }

  @Post(':iid/acknowledgement')
  @HttpCode(200)
  @Roles('account_manager')
  @Params()
  @ApiOperation({ summary: 'The processor acknowledges the instruction. Status acknowledged.' })
  @ApiOkResponse({ type: InstructionView })
  @ErrorResponses(400, 401, 403, 404, 409)
  acknowledge(@Param('id', ContractIdPipe) id: string, @Param('iid', instructionId) iid: string, @CurrentPrincipal() principal: Principal) {
    return this.instructions.acknowledge(id, iid, principal);
  }

  @Post(':iid/execution')
  @HttpCode(200)
  @Roles('account_manager')
  @Params()
  @ApiOperation({ summary: 'The instruction was carried out: only once acknowledged, never while on hold. Status executed.' })
  @ApiOkResponse({ type: InstructionView })
  @ErrorResponses(400, 401, 403, 404, 409)
  execute(@Param('id', ContractIdPipe) id: string, @Param('iid', instructionId) iid: string, @CurrentPrincipal() principal: Principal) {
    return this.instructions.execute(id, iid, principal);
  }

  @Post(':iid/objection')
  @HttpCode(200)
  @Roles('dpo')
  @Params()
  @ApiOperation({ summary: 'The processor considers the instruction unlawful: the controller is emailed at once and the instruction is on hold. Status on_hold.' })
  @ApiOkResponse({ type: InstructionView })
  @ErrorResponses(400, 401, 403, 404, 409)
  object(@Param('id', ContractIdPipe) id: string, @Param('iid', instructionId) iid: string, @Body() body: ObjectToInstructionDto, @CurrentPrincipal() principal: Principal) {
    return this.instructions.object(id, iid, body, principal);
  }

  @Post(':iid/confirmation')
  @HttpCode(200)
  @Roles('account_manager')
  @Params()
  @ApiOperation({ summary: 'The controller confirms the instruction despite the objection: the hold is released.' })
  @ApiOkResponse({ type: InstructionView })
  @ErrorResponses(400, 401, 403, 404, 409)
  confirm(@Param('id', ContractIdPipe) id: string, @Param('iid', instructionId) iid: string, @CurrentPrincipal() principal: Principal) {
    return this.instructions.confirm(id, iid, principal);
  }

  @Post(':iid/withdrawal')
  @HttpCode(200)
  @Roles('account_manager')
  @Params()
  @ApiOperation({ summary: 'The controller withdraws the instruction after the objection. Status withdrawn.' })
  @ApiOkResponse({ type: InstructionView })
  @ErrorResponses(400, 401, 403, 404, 409)
  withdraw(@Param('id', ContractIdPipe) id: string, @Param('iid', instructionId) iid: string, @CurrentPrincipal() principal: Principal) {
    return this.instructions.withdraw(id, iid, principal);
  }
}
