import 'reflect-metadata';
import { type Client } from '@temporalio/client';
import { type Response } from 'express';
import { type DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

const answer = () => {
  const res = { statusCode: 200, status: (code: number) => ((res.statusCode = code), res) };
  return res;
};

describe('GET /health/ready once shutdown has begun', () => {
  it('is 503 shutting_down at once, without asking PostgreSQL or Temporal (a draining instance takes no new work)', async () => {
    const unreachable = new Proxy({}, { get: () => { throw new Error('no dependency is asked while shutting down'); } });
    const service = new HealthService(unreachable as DataSource, unreachable as Client);
    service.onModuleDestroy();
    const res = answer();
    const body = await new HealthController(service).ready(res as unknown as Response);
    expect(res.statusCode).toBe(503);
    expect(body).toEqual({ status: 'unavailable', error: { code: 'shutting_down', message: expect.any(String), details: { down: ['api'] } } });
    expect(new HealthController(service).live()).toEqual({ status: 'ok' });
  });
});
