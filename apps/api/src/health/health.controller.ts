import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorDetail } from '../common/openapi';
import { type Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { HealthService, type Health } from './health.service';

const NAMES = { postgres: 'PostgreSQL', temporal: 'Temporal' } as const;

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

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and readiness: PostgreSQL and Temporal, each reported on its own.' })
  @ApiResponse({ status: 200, description: 'Both dependencies answer.', type: HealthView })
  @ApiResponse({ status: 503, description: 'A dependency is down; the body names it.', type: HealthView })
  async get(@Res({ passthrough: true }) res: Response): Promise<Health & { error?: { code: string; message: string; details: { down: string[] } } }> {
    const health = await this.health.check();
    if (health.status === 'ok') return health;
    res.status(503);
    const down = (Object.keys(health.checks) as (keyof typeof NAMES)[]).filter((k) => health.checks[k].status === 'down');
    return {
      ...health,
      error: { code: 'dependency_unavailable', message: `Unavailable: ${down.map((k) => NAMES[k]).join(' and ')}.`, details: { down } },
    };
  }
}
