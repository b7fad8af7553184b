import * as http from 'node:http';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '#infra/database/data-source';
import { freePort, waitFor } from '#infra/dev/processes';
import { startPostgres, type PostgresService } from '#infra/dev/services';
import { startApi, type RunningApp } from '../support/apps';
import { scrape } from '../support/prometheus';
import { untilPast } from '../support/settled';

/** GET on a kept-alive agent: the status, and whether the request went on a connection used before. */
function getOn(agent: http.Agent, url: string): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
    });
    req.on('error', reject);
  });
}

interface HealthBody {
  status: string;
  checks: Record<'postgres' | 'temporal', { status: 'up' | 'down' }>;
  error?: { code: string; message: string; details: { down: string[] } };
}

describe('GET /health, /health/ready and /metrics over real HTTP', () => {
  let postgres: PostgresService;
  let api: RunningApp;
  const dataDir = path.join(inject('runDir'), 'health-postgres');
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    postgres = await startPostgres({ dataDir, port });
    await migrate(postgres.url);
    api = await startApi({ DATABASE_URL: postgres.url, TEMPORAL_ADDRESS: inject('temporalAddress') });
  });
  afterAll(async () => {
    await api?.stop();
    await postgres?.stop();
  });

  it('keeps an idle connection open past Node\'s 5 s default, so a client reusing it is not reset', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await getOn(agent, `${api.url}/health`)).toMatchObject({ status: 200, reused: false });
      // Idle for longer than Node's default keep-alive timeout (5 s), on the clock.
      await untilPast(Date.now() + 6_000);
      expect(await getOn(agent, `${api.url}/health`)).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  });

  const health = async () => {
    const res = await fetch(`${api.url}/health`);
    return { status: res.status, body: (await res.json()) as HealthBody };
  };

  it('is 200 with both dependencies up, 503 naming PostgreSQL while it is down (readiness too, and the scrape answers without the store\'s gauges), 200 again after it restarts', async () => {
    const up = await health();
    expect(up.status).toBe(200);
    expect(up.body.checks).toMatchObject({ postgres: { status: 'up' }, temporal: { status: 'up' } });

    await postgres.stop();
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.checks.postgres.status).toBe('down');
    expect(down.body.checks.temporal.status).toBe('up');
    expect(down.body.error).toMatchObject({ code: 'dependency_unavailable', details: { down: ['postgres'] } });
    expect(down.body.error?.message).toContain('PostgreSQL');
    // Readiness says the same; liveness checks nothing, so a restart is not asked for.
    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', checks: { postgres: { status: 'down' }, temporal: { status: 'up' } }, error: { details: { down: ['postgres'] } } });
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
    // The scrape still answers with the HTTP metrics; the store's gauges are absent and their failures counted.
    const metrics = await scrape(`${api.url}/metrics`);
    expect(metrics.value('dpa_http_requests_total', { route: '/health', status: '503' })).toBeGreaterThanOrEqual(1);
    expect(metrics.value('dpa_scrape_errors_total', { query: 'contracts' })).toBe(1);
    expect(metrics.value('dpa_scrape_errors_total', { query: 'outbox_backlog' })).toBe(1);
    expect(metrics.value('dpa_contracts', { status: 'ordered' })).toBeNull();

    postgres = await startPostgres({ dataDir, port });
    await waitFor('health back to 200', async () => (await health()).status === 200, { timeoutMs: 30_000, intervalMs: 250 });
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
    await waitFor('the gauges back', async () => (await scrape(`${api.url}/metrics`)).value('dpa_contracts', { status: 'ordered' }) === 0, { timeoutMs: 30_000, intervalMs: 250 });
    expect(api.child.exitCode).toBeNull();
    expect(api.child.signalCode).toBeNull();
  });

  it('serves the OpenAPI document at /docs', async () => {
    const res = await fetch(`${api.url}/docs/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/health/live', '/health/ready', '/metrics']));
    expect((await fetch(`${api.url}/docs`)).headers.get('content-type')).toContain('text/html');
  });

  it('answers malformed JSON with 400, an oversized body with 413 and an unknown path with 404, in the error shape', async () => {
    const post = (body: string) => fetch(`${api.url}/contracts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer dev-account-manager-key' }, body });
    const malformed = await post('{"oops"');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: { code: 'malformed_json', message: expect.any(String) } });
    const huge = await post(JSON.stringify({ filler: 'x'.repeat(200_000) }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    // /health takes GET only.
    expect((await fetch(`${api.url}/health`, { method: 'POST' })).status).toBe(405);
    // Without a key even an unknown path is a 401: the key is checked before anything else.
    expect((await fetch(`${api.url}/no-such-thing`)).status).toBe(401);
    const missing = await fetch(`${api.url}/no-such-thing`, { headers: { authorization: 'Bearer dev-billing-key' } });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
