import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '#infra/dev/processes';
import { startWorker, type RunningApp } from '../support/apps';
import { LONG_POLL_SECONDS } from '../support/global-setup';
import { KEYS, startStack, type Stack } from '../support/stack';

/**
 * The test server answers an idle worker's poll after LONG_POLL_SECONDS (a real one after a
 * minute, hence the default of 75 s): a queue whose last poll is older than this has no worker.
 */
const STALE_AFTER_MS = (LONG_POLL_SECONDS + 15) * 1000;

let stack: Stack;
let second: RunningApp | null = null;
beforeAll(async () => {
  stack = await startStack({ TEMPORAL_WORKER_STALE_AFTER: String(STALE_AFTER_MS) });
});
afterAll(async () => {
  await second?.stop();
  await stack?.stop();
});

const controller = { name: 'Nobody Home SAS', email: 'nobody@home.example' };

/** POST /contracts with a key, answered or given up on by the client after `timeoutMs`. */
async function order(idempotencyKey: string, timeoutMs: number): Promise<{ status: number; code?: string } | 'no answer'> {
  try {
    const res = await fetch(`${stack.api.url}/contracts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.account_manager}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify({ controller, billingPeriod: 'P1M' }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as { error?: { code: string } };
    return { status: res.status, code: body.error?.code };
  } catch {
    return 'no answer';
  }
}

describe('commands while no worker polls the task queue', () => {
  it('answer 503 temporal.no_worker at once, from Temporal\'s view of the pollers; retries with the same keys complete once a worker is back', async () => {
    const before = await order(randomUUID(), 30_000);
    expect(before).toMatchObject({ status: 201 });
    await stack.worker.stop();

    // Temporal records a worker's poll when it arrives; an idle worker polls again when its poll is
    // answered empty, so the queue counts as unattended TEMPORAL_WORKER_STALE_AFTER after the last poll.
    const keys: string[] = [];
    let answer: Awaited<ReturnType<typeof order>> = 'no answer';
    for (const started = Date.now(); Date.now() - started < 2 * STALE_AFTER_MS + 30_000; ) {
      keys.push(randomUUID());
      answer = await order(keys.at(-1)!, 8_000);
      if (answer !== 'no answer' && answer.status === 503) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    expect(answer).toEqual({ status: 503, code: 'temporal.no_worker' });
    // From then on every command answers so, without waiting on Temporal.
    for (let i = 0; i < 3; i++) {
      const key = randomUUID();
      keys.push(key);
      expect(await order(key, 5_000)).toEqual({ status: 503, code: 'temporal.no_worker' });
    }
    const hand = await fetch(`${stack.api.url}/contracts/${randomUUID()}/non-renewal`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.account_manager}` },
      signal: AbortSignal.timeout(5_000),
    });
    expect([404, 503]).toContain(hand.status);

    // A worker again: every request retried with its key completes, each contract once.
    second = await startWorker(stack.env);
    // The requests the client gave up on are still answered once the worker is back, and their keys
    // settled with them: a retry finds the answer, or the key free after a 5xx, not a key held in
    // progress until it counts as abandoned (a minute).
    const db = new pg.Client({ connectionString: stack.db.url });
    await db.connect();
    try {
      const held = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM idempotency_keys WHERE status = 'in_progress'`)).rows[0]!.n;
      await waitFor('no Idempotency-Key left in progress', async () => (await held()) === 0, { timeoutMs: 30_000, intervalMs: 250 });
    } finally {
      await db.end();
    }
    const ids = new Set<string>();
    for (const key of keys) {
      let res: Response | null = null;
      for (let attempt = 0; attempt < 20; attempt++) {
        res = await fetch(`${stack.api.url}/contracts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEYS.account_manager}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ controller, billingPeriod: 'P1M' }),
        });
        if (res.status !== 503 && res.status !== 409) break;
        await new Promise((r) => setTimeout(r, 1_000));
      }
      expect([200, 201]).toContain(res!.status);
      ids.add(((await res!.json()) as { id: string }).id);
    }
    expect(ids.size).toBe(keys.length);
    const listed = await fetch(`${stack.api.url}/contracts?limit=500&controller=nobody@home.example`, { headers: { authorization: `Bearer ${KEYS.billing}` } });
    const items = ((await listed.json()) as { items: { id: string }[] }).items;
    expect(items.length).toBe(keys.length + 1);
  }, 300_000);
});
