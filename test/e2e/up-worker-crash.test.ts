import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { waitFor } from '#infra/dev/processes';
import { descendants, up, upPorts } from '../support/up';

/** Apart from up.test.ts so that the two `npm run up` runs go side by side. */
describe('npm run up, its worker killed', () => {
  it('restarts a worker SIGKILLed during a burst of 100 orders and hand-overs at a concurrency of 16: every 2xx is true, retries with the same keys complete the rest, nothing is duplicated', async () => {
    const ports = await upPorts();
    const env = { ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DPA_DATA_DIR: path.join(inject('runDir'), 'up-supervised'), LOG_LEVEL: 'warn' };
    const api = `http://127.0.0.1:${ports.PORT}`;
    const { proc, lines } = await up(env);
    try {
      const post = async (url: string, key: string, body: unknown) => {
        try {
          const res = await fetch(`${api}${url}`, {
            method: 'POST',
            headers: { authorization: 'Bearer dev-account-manager-key', 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(20_000),
          });
          return { status: res.status, body: (await res.json()) as { id?: string; status?: string } };
        } catch {
          return { status: 0, body: {} };
        }
      };
      const order = (i: number) => post('/contracts', `order-${i}`, { controller: { name: `Burst ${i} SAS`, email: `burst-${i}@up.example` }, reference: `BURST-${i}`, billingPeriod: 'P1M' });
      const handOver = (i: number, id: string) => post(`/contracts/${id}/credentials`, `handover-${i}`, { kind: 'ssh', host: 'h.up.example', username: 'u', secret: `s3cret-${i}` });
      const worker = () => descendants(proc.pid).find((p) => p.command.includes('dist/apps/worker/src/main.js'));
      const first = worker();
      expect(first).toBeDefined();

      // The burst, with the worker killed once a third of it is under way.
      const answers = new Map<number, { order: number; handOver: number; id?: string; status?: string }>();
      let next = 0;
      let killed = false;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let i = next++; i < 100; i = next++) {
            if (i >= 33 && !killed) {
              killed = true;
              process.kill(first!.pid, 'SIGKILL');
            }
            const o = await order(i);
            const h = o.status === 201 || o.status === 200 ? await handOver(i, o.body.id!) : { status: 0, body: {} };
            answers.set(i, { order: o.status, handOver: h.status, id: o.body.id, status: h.body.status });
          }
        }),
      );
      expect(killed).toBe(true);
      // `npm run up` started another worker.
      await waitFor('a new worker', async () => worker() !== undefined && worker()!.pid !== first!.pid, { timeoutMs: 60_000 });
      expect(lines.some((l) => l.includes('worker exited unexpectedly'))).toBe(true);

      // Every 2xx told the truth; the rest complete when retried with the same keys.
      for (let i = 0; i < 100; i++) {
        const a = answers.get(i)!;
        let id = a.id;
        for (let attempt = 0; !id && attempt < 30; attempt++) {
          const o = await order(i);
          if (o.status === 200 || o.status === 201) id = o.body.id;
          else await new Promise((r) => setTimeout(r, 1_000));
        }
        expect(id, `order ${i}`).toBeDefined();
        let status = a.handOver === 200 ? a.status : undefined;
        for (let attempt = 0; status !== 'active' && attempt < 30; attempt++) {
          const h = await handOver(i, id!);
          if (h.status === 200) status = h.body.status;
          else await new Promise((r) => setTimeout(r, 1_000));
        }
        expect(status, `hand-over ${i}`).toBe('active');
        const read = (await (await fetch(`${api}/contracts/${id}`, { headers: { authorization: 'Bearer dev-billing-key' } })).json()) as { status: string; reference: string; credentials?: unknown };
        expect(read).toMatchObject({ status: 'active', reference: `BURST-${i}` });
        const trail = (await (await fetch(`${api}/contracts/${id}/events`, { headers: { authorization: 'Bearer dev-dpo-key' } })).json()) as { events: { type: string }[] };
        // The DPO communicated with the hand-over, once; its email's receipt may be there already.
        expect(trail.events.map((e) => e.type).filter((t) => t !== 'EmailSent')).toEqual(['ContractOrdered', 'CredentialsHandedOver', 'DpoCommunicated']);
      }
      const listed = (await (await fetch(`${api}/contracts?limit=500`, { headers: { authorization: 'Bearer dev-billing-key' } })).json()) as { items: { reference: string }[] };
      expect(listed.items.filter((c) => c.reference?.startsWith('BURST-')).length).toBe(100);
    } finally {
      proc.child.kill('SIGTERM');
      const code = await proc.exited;
      // What `npm run up` said last, if it did not stop cleanly.
      expect(code, lines.filter((l) => l.includes('[up]') || /error|exited|fail|uncaught|unhandled|stop/i.test(l)).slice(-40).join('\n')).toBe(0);
    }
  }, 400_000);
});
