import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { type AppConfig } from '#infra/config/config';
import { bearerMatches } from '#infra/metrics/registry';
import { Public } from '../auth/roles.decorator';
import { ApiError } from '../common/api-error';
import { ErrorBodyView } from '../common/openapi';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from './metrics.service';

/** For Prometheus, not for API keys: open, or behind METRICS_TOKEN when it is set. */
@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics: HTTP requests by route pattern and status, command latency, open files, contracts by status, overdue clocks, the outbox backlog. No personal data.',
  })
  @ApiOkResponse({ description: 'The Prometheus text format (version 0.0.4).', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 401, description: 'METRICS_TOKEN is set and the request does not carry it as `Authorization: Bearer <METRICS_TOKEN>`.', type: ErrorBodyView })
  async get(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) res: Response): Promise<string> {
    const token = this.config.metrics.token;
    if (token !== null && !bearerMatches(authorization, token)) {
      throw new ApiError(401, 'unauthenticated', 'The metrics token is required: Authorization: Bearer <METRICS_TOKEN>.');
    }
    res.setHeader('content-type', this.metrics.registry.contentType);
    return this.metrics.text();
  }
}
