import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { HealthService, type Health } from './health.service';

const NAMES = { postgres: 'PostgreSQL', temporal: 'Temporal' } as const;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and readiness: PostgreSQL and Temporal, each reported on its own.' })
  @ApiResponse({ status: 200, description: 'Both dependencies answer.' })
  @ApiResponse({ status: 503, description: 'A dependency is down; the body names it.' })
  async get(@Res({ passthrough: true }) res: Response): Promise<Health & { error?: { code: string; message: string; details: string[] } }> {
    const health = await this.health.check();
    if (health.status === 'ok') return health;
    res.status(503);
    const down = (Object.keys(health.checks) as (keyof typeof NAMES)[]).filter((k) => health.checks[k].status === 'down');
    return {
      ...health,
      error: { code: 'dependency_unavailable', message: `Unavailable: ${down.map((k) => NAMES[k]).join(' and ')}.`, details: down },
    };
  }
}
