import { type AddressInfo } from 'node:net';
import express, { Router } from 'express';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { commandOutcome, HttpMetrics, isCommand, methodLabel, routeLabel } from './http-metrics';

describe('HTTP metrics labels', () => {
  it('a command is accepted below 400, refused in the 4xx (a rule or the caller), failed in the 5xx', () => {
    expect([200, 201, 204, 303].map(commandOutcome)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect([400, 401, 403, 404, 409, 422, 429].map(commandOutcome)).toEqual(Array(7).fill('refused'));
    expect([500, 502, 503].map(commandOutcome)).toEqual(['failed', 'failed', 'failed']);
  });

  it('commands are the requests that ask for a change: not the reads, not the CORS preflight', () => {
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].every(isCommand)).toBe(true);
    expect(['GET', 'HEAD', 'OPTIONS'].some(isCommand)).toBe(false);
    expect(methodLabel('PROPFIND')).toBe('OTHER');
  });

  it('the route is the pattern under its router, never the path; a catch-all or no route is unmatched', () => {
    expect(routeLabel({ baseUrl: '', route: { path: '/contracts/:id' } })).toBe('/contracts/:id');
    expect(routeLabel({ baseUrl: '/ui', route: { path: '/' } })).toBe('/ui/');
    expect(routeLabel({ baseUrl: '', route: { path: '*path' } })).toBe('unmatched');
    expect(routeLabel({ baseUrl: '' })).toBe('unmatched');
    expect(routeLabel({ route: { path: /^\/regexp/ } })).toBe('unmatched');
  });
});

describe('HttpMetrics on a real Express 5 app', () => {
  it('records each answered request once, under the route pattern that answered it', async () => {
    const registry = new Registry();
    const app = express();
    app.use(new HttpMetrics(registry).middleware());
    app.post('*path', (_req, _res, next) => next());
    const ui = Router();
    ui.get('/contracts/:id', (_req, res) => void res.send('page'));
    app.use('/ui', ui);
    app.post('/contracts/:id/termination', (_req, res) => void res.status(409).json({}));
    app.use((_req, res) => void res.status(404).end());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await fetch(`${base}/ui/contracts/0b9f0c52-5b9c-4d6e-9a43-6f6f3c0e8a11`);
      await fetch(`${base}/contracts/0b9f0c52-5b9c-4d6e-9a43-6f6f3c0e8a11/termination`, { method: 'POST' });
      await fetch(`${base}/nowhere/0b9f0c52`, { method: 'POST' });
    } finally {
      server.close();
    }
    const text = await registry.metrics();
    expect(text).toContain('dpa_http_requests_total{method="GET",route="/ui/contracts/:id",status="200"} 1');
    expect(text).toContain('dpa_http_requests_total{method="POST",route="/contracts/:id/termination",status="409"} 1');
    expect(text).toContain('dpa_http_requests_total{method="POST",route="unmatched",status="404"} 1');
    expect(text).toContain('dpa_command_duration_seconds_count{route="/contracts/:id/termination",outcome="refused"} 1');
    expect(text).not.toContain('dpa_command_duration_seconds_count{route="/ui/contracts/:id"');
    expect(text).not.toContain('0b9f0c52');
  });
});
