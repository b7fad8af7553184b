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
import { CompleteSubjectRequestDto, ExtendSubjectRequestDto, ListSubjectRequestsQuery, OpenSubjectRequestDto, SubjectRequestListView, SubjectRequestView } from './subject-requests.dto';
import { SubjectRequests } from './subject-requests.service';
import { EventsView, VerifyView } from '../contracts/dto/views';
import { FileTrails } from '../kit/trail';

const Params = () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
  ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })(target, key, descriptor);
  ApiParam({ name: 'rid', schema: idParamSchema, description: 'Subject request id' })(target, key, descriptor);
};

@ApiTags('subject requests')
@ApiBearerAuth()
@Controller('contracts/:id/subject-requests')
export class SubjectRequestsController {
  constructor(
    @Inject(SubjectRequests) private readonly requests: SubjectRequests,
    @Inject(FileTrails) private readonly trails: FileTrails,
  ) {}

  @Post()
  @Roles('account_manager', 'dpo')
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes the POST safe to retry: the same key answers the first result again (24 h).' })
  @ApiOperation({ summary: 'P7: record a data-subject request (references only, never the person). One received by the processor is passed to the controller at once.' })
  @ApiCreatedResponse({ type: SubjectRequestView })
  @ApiOkResponse({ type: SubjectRequestView, description: 'The same request again (its workflow had completed it).' })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  async open(@Param('id', ContractIdPipe) id: string, @Body() body: OpenSubjectRequestDto, @CurrentPrincipal() principal: Principal, @IdempotencyKey() scope: IdempotencyScope | null, @Res({ passthrough: true }) res: Response) {
    const { created, view } = await this.requests.open(id, body, principal, scope);
    res.status(created ? 201 : 200);
    return view;
  }

  @Get()
  @AnyRole()
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @ApiOperation({ summary: "The contract's subject requests, oldest receipt first, with their clocks." })
  @ApiOkResponse({ type: SubjectRequestListView })
  @ErrorResponses(400, 401, 404)
  list(@Param('id', ContractIdPipe) id: string, @Query() query: ListSubjectRequestsQuery) {
    return this.requests.list(id, query);
  }

  @Get(':rid')
  @AnyRole()
  @Params()
  @ApiOperation({ summary: 'One subject request: deadline, assistanceDue, extendedTo, late, overdue.' })
  @ApiOkResponse({ type: SubjectRequestView })
  @ErrorResponses(400, 401, 404)
  get(@Param('id', ContractIdPipe) id: string, @Param('rid', new UuidPipe('subject request id')) rid: string) {
    return this.requests.found(id, rid);
  }

  @Get(':rid/events')
  @Roles('dpo', 'admin')
  @Params()
  @ApiOperation({ summary: "The request's trail: every event in version order, with its hash chain." })
  @ApiOkResponse({ type: EventsView })
  @ErrorResponses(400, 401, 403, 404)
  async events(@Param('id', ContractIdPipe) id: string, @Param('rid', new UuidPipe('subject request id')) rid: string) {
    await this.requests.found(id, rid);
    return this.trails.events(rid);
  }

  @Get(':rid/events/verify')
  @Roles('dpo', 'admin')
  @Params()
  @ApiOperation({ summary: "Recomputes the request's hash chain; names the first event that does not match." })
  @ApiOkResponse({ type: VerifyView })
  @ErrorResponses(400, 401, 403, 404)
  async verify(@Param('id', ContractIdPipe) id: string, @Param('rid', new UuidPipe('subject request id')) rid: string) {
    await this.requests.found(id, rid);
    return this.trails.verify(rid);
  }

  @Post(':rid/extension')
  @HttpCode(200)
  @Roles('account_manager', 'dpo')
  @Params()
  @ApiOperation({ summary: '12(3): extend the deadline once by one or two months, before the first deadline.' })
  @ApiOkResponse({ type: SubjectRequestView })
  @ErrorResponses(400, 401, 403, 404, 409, 422)
  extend(@Param('id', ContractIdPipe) id: string, @Param('rid', new UuidPipe('subject request id')) rid: string, @Body() body: ExtendSubjectRequestDto, @CurrentPrincipal() principal: Principal) {
    return this.requests.extend(id, rid, body, principal);
  }

  @Post(':rid/completion')
  @HttpCode(200)
  @Roles('account_manager', 'dpo')
  @Params()
  @ApiOperation({ summary: 'Complete the request: fulfilled, partially-fulfilled or refused (a reason for anything but fulfilled, 12(4)).' })
  @ApiOkResponse({ type: SubjectRequestView })
  @ErrorResponses(400, 401, 403, 404, 409)
  complete(@Param('id', ContractIdPipe) id: string, @Param('rid', new UuidPipe('subject request id')) rid: string, @Body() body: CompleteSubjectRequestDto, @CurrentPrincipal() principal: Principal) {
    return this.requests.complete(id, rid, body, principal);
  }
}
