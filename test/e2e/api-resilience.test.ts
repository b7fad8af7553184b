import { execFile } from 'node:child_process';

import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/dev/project-root';
import { startProcess, TSX_NODE_ARGS } from '#infra/dev/processes';
import { startApi } from '../support/apps';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startStack, type Stack } from '../support/stack';

const run = promisify(execFile);
const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');

describe('configuration and production mode', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('a bad or missing setting stops the API with a message naming it', async () => {
    const lines: string[] = [];
    const api = startProcess('api', process.execPath, [path.join(projectRoot(), 'dist/apps/api/src/main.js')], {
      env: { ...process.env, PORT: 'eighty', NODE_ENV: 'production', DATABASE_URL: db.url },
      onLine: (line) => lines.push(line),
    });
    expect(await api.exited).toBe(78);
    const output = lines.join('\n');
    expect(output).toContain('PORT');
    expect(output).toContain('PAYLOAD_CODEC_KEYS');
    expect(output).toContain('VAULT_MASTER_KEYS');
    expect(output).toContain('EVIDENCE_SIGNING_KEYS');
    expect(output).toContain('CONTACT_LINK_KEYS');
  });

  it('in production the development keys are refused; keys made with the CLI work', async () => {
    const env = { NODE_ENV: 'production', DATABASE_URL: db.url, PAYLOAD_CODEC_KEYS: `p1:${key(1)}`, VAULT_MASTER_KEYS: `v1:${key(2)}`, EVIDENCE_SIGNING_KEYS: `e1:${key(3)}`, EVIDENCE_SIGNING_KEY_WINDOWS: 'e1=2026-01-01T00:00:00Z/', CONTACT_LINK_KEYS: `l1:${key(4)}`, TEMPORAL_ADDRESS: '127.0.0.1:1' };
    const api = await startApi(env);
    try {
      const dev = await fetch(`${api.url}/contracts`, { headers: { authorization: 'Bearer dev-dpo-key' } });
      expect(dev.status).toBe(401);
      const { stdout } = await run(process.execPath, [...TSX_NODE_ARGS, path.join(projectRoot(), 'scripts/api-keys.ts'), 'create', '--name', 'dpo team', '--role', 'dpo'], {
        env: { ...process.env, ...env },
      });
      const created = JSON.parse(stdout) as { key: string };
      const ok = await fetch(`${api.url}/contracts`, { headers: { authorization: `Bearer ${created.key}` } });
      expect(ok.status).toBe(200);
    } finally {
      await api.stop();
    }
  });
});

describe('an API crash during a burst of renewals', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('kill the API during 120 acceptances for 120 contracts, restart it, retry what was not acknowledged: each contract is extended exactly once', async () => {
    const contracts: { id: string; termEnd: string }[] = [];
    const lanes = 16;
    const todo = Array.from({ length: 120 }, (_, i) => i);
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let i = todo.shift(); i !== undefined; i = todo.shift()) {
          const ordered = await stack.request('POST', '/contracts', { role: 'account_manager', body: { controller: { name: `Burst ${i}`, email: `b${i}@burst.example` }, billingPeriod: 'P1M' } });
          const handed = await stack.request('POST', `/contracts/${ordered.body.id}/credentials`, { role: 'account_manager', body: { kind: 'ssh', host: 'h', username: 'u', secret: 's' } });
          expect(handed.status).toBe(200);
          contracts.push({ id: ordered.body.id, termEnd: handed.body.termEnd });
        }
      }),
    );

    const body = (c: { id: string; termEnd: string }) => {
      const end = new Date(c.termEnd);
      end.setUTCMonth(end.getUTCMonth() + 1);
      // An invoice renews one contract: each contract has its own.
      return { invoiceId: `inv-${c.id}`, coveredPeriod: { start: c.termEnd, end: end.toISOString() }, acceptedAt: new Date().toISOString() };
    };
    const acknowledged = new Set<string>();
    let killed = false;
    const attempt = async (c: { id: string; termEnd: string }) => {
      try {
        const res = await stack.request('POST', `/contracts/${c.id}/renewals`, { role: 'billing', body: body(c) });
        if (res.status === 200) acknowledged.add(c.id);
      } catch {
        // Connection refused or reset: not acknowledged; the client will retry.
      }
      if (acknowledged.size >= 40 && !killed) {
        killed = true;
        stack.api.child.kill('SIGKILL');
      }
    };
    await Promise.all(contracts.map(attempt));
    expect(killed).toBe(true);
    const unacknowledged = contracts.filter((c) => !acknowledged.has(c.id));
    expect(unacknowledged.length).toBeGreaterThan(0);

    await stack.restartApi();
    for (const c of unacknowledged) {
      for (let tries = 0; !acknowledged.has(c.id); tries++) {
        expect(tries).toBeLessThan(20);
        await attempt(c);
      }
    }

    for (const c of contracts) {
      const contract = (await stack.request('GET', `/contracts/${c.id}`, { role: 'dpo' })).body;
      expect(contract.renewals, c.id).toHaveLength(1);
      expect(contract.termEnd).toBe(body(c).coveredPeriod.end);
    }
    const db = new (await import('pg')).Client({ connectionString: stack.db.url });
    await db.connect();
    const { rows } = await db.query(`SELECT stream_id, count(*)::int AS n FROM events WHERE type = 'RenewalAccepted' GROUP BY stream_id`);
    await db.end();
    expect(rows).toHaveLength(120);
    expect(rows.every((r: { n: number }) => r.n === 1)).toBe(true);
  }, 300_000);
});

