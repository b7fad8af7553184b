import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorDetail } from '../common/openapi';
import { type Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { HealthService, type Health } from './health.service';

export class DependencyHealthView {
  @ApiProperty({ enum: ['up', 'down'] }) status!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) latencyMs!: number;
  @ApiPropertyOptional({ example: 'timeout', description: 'Why it is down: a timeout, unreachable, or the driver\'s error code.' }) error?: string;
}

export class HealthChecksView {
  @ApiProperty({ type: DependencyHealthView }) postgres!: DependencyHealthView;
  @ApiProperty({ type: DependencyHealthView }) temporal!: DependencyHealthView;
}

export class HealthView {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: string;
  @ApiProperty({ type: HealthChecksView }) checks!: HealthChecksView;
  @ApiPropertyOptional({ type: ErrorDetail, description: 'With a 503: `details.down` names what is down.' }) error?: ErrorDetail;
}

export class LivenessView {
  @ApiProperty({ enum: ['ok'] }) status!: string;
}

export class ReadinessView {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: string;
  @ApiPropertyOptional({ type: HealthChecksView, description: 'Absent once the API is shutting down (nothing is checked then).' }) checks?: HealthChecksView;
  @ApiPropertyOptional({ type: ErrorDetail, description: 'With a 503: `details.down` names what is down, `["api"]` (code `shutting_down`) once the API is stopping.' }) error?: ErrorDetail;
}

type Ready = Health | { status: 'unavailable'; error: { code: string; message: string; details: { down: string[] } } };

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and readiness: PostgreSQL and Temporal, each reported on its own.' })
  @ApiResponse({ status: 200, description: 'Both dependencies answer.', type: HealthView })
  @ApiResponse({ status: 503, description: 'A dependency is down; the body names it.', type: HealthView })
  async get(@Res({ passthrough: true }) res: Response): Promise<Health> {
    const health = await this.health.check();
    if (health.status !== 'ok') res.status(503);
    return health;
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers HTTP. No dependency is checked (a restart would not bring PostgreSQL back).' })
  @ApiResponse({ status: 200, description: 'The API process runs.', type: LivenessView })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness for a load balancer: PostgreSQL and Temporal answer, and the API is not shutting down.' })
  @ApiResponse({ status: 200, description: 'Ready to take requests.', type: ReadinessView })
  @ApiResponse({ status: 503, description: 'A dependency is down, or the API is shutting down (SIGTERM); the body names which.', type: ReadinessView })
  async ready(@Res({ passthrough: true }) res: Response): Promise<Ready> {
    const ready: Ready = this.health.shuttingDown
      ? { status: 'unavailable', error: { code: 'shutting_down', message: 'The API is shutting down: send requests to another instance.', details: { down: ['api'] } } }
      : await this.health.check();
    if (ready.status !== 'ok') res.status(503);
    return ready;
  }
}
