import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDuration, type ActiveContract } from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { CredentialVault } from '#infra/vault/credential-vault';
import { contractWorkflowId, noticeNonRenewalUpdate, snapshotQuery } from '#infra/temporal/messages';
import { ApiError } from '../../../apps/api/src/common/api-error';
import { FileCommands } from '../../../apps/api/src/kit/file-commands';
import { ContractCommands } from '../../../apps/api/src/contracts/contract-commands.service';
import { ContractQueries } from '../../../apps/api/src/contracts/contract-queries.service';
import { DAY, HOUR, MANAGER, shift, timeSkippingEngine, type TimeSkippingEngine } from '../../support/engine';

let engine: TimeSkippingEngine;
let commands: ContractCommands;
beforeAll(async () => {
  engine = await timeSkippingEngine();
  // The API's own command service, over the time-skipping server's client and the read models.
  commands = new ContractCommands(new FileCommands(engine.env.client, engine.config), new CredentialVault(engine.dataSource, engine.config.vaultKeys), new ContractQueries(engine.dataSource), engine.dataSource);
});
afterAll(async () => engine?.teardown());

const BILLING: Principal = { keyId: 'billing-test', role: 'billing', name: 'billing' };
const AM: Principal = { keyId: 'am-test', role: 'account_manager', name: 'account manager' };

type Kind = 'export' | 'renewal' | 'termination';
interface Sent {
  readonly contractId: string;
  readonly kind: Kind;
  /** The request's own id in the trail: export request id or invoice id; null for a termination. */
  readonly key: string | null;
  readonly outcome: { readonly applied: true } | { readonly applied: false; readonly status: number; readonly code: string };
}

/** What the domain may answer to these commands around the end of processing, by kind (DESIGN §6). */
const DOMAIN_CODES: Record<Kind, readonly string[]> = {
  export: ['contract.not_ended', 'export.outside_return_window', 'contract.destroyed'],
  renewal: ['renewal.late_acceptance', 'renewal.not_extending', 'renewal.after_term_end', 'contract.destroyed'],
  termination: ['contract.ended', 'contract.destroyed'],
};

describe('commands across the end of processing, to the one workflow that owns the contract', () => {
  it('200 exports, renewals and terminations spread across the end: each is applied or refused by the domain with its code; none is contract.closed or a 5xx', async () => {
    // Ten monthly contracts with a one-day return window; five gave notice (they expire at the
    // term end, while commands come), five are ended by the first termination that reaches them.
    const ids: string[] = [];
    /** Each contract's first term end: billing's invoices cover the term after it. */
    const termEnds = new Map<string, string>();
    for (let i = 0; i < 10; i++) {
      const { contractId, handle } = await engine.order({ returnWindow: 'P1D' });
      await engine.handOver(contractId);
      if (i < 5) await handle.executeUpdate(noticeNonRenewalUpdate, { args: [{ reason: null, actor: MANAGER }] });
      termEnds.set(contractId, ((await handle.query(snapshotQuery)).state as ActiveContract).termEnd);
      ids.push(contractId);
    }
    const termEnd = [...termEnds.values()].sort()[0]!;

    const sent: Sent[] = [];
    const send = async (contractId: string, kind: Kind, key: string | null, call: () => Promise<unknown>) => {
      try {
        await call();
        sent.push({ contractId, kind, key, outcome: { applied: true } });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        sent.push({ contractId, kind, key, outcome: { applied: false, status: e.status, code: e.code } });
      }
    };
    const command = async (contractId: string, slot: number): Promise<void> => {
      // The five that gave notice meet exports, and renewals only once their term is over (one
      // before would withdraw the notice): their end is the expiry timer, with commands on its heels.
      // The other five meet terminations too, from a slot of their own on, so their ends spread.
      const i = ids.indexOf(contractId);
      const kind: Kind =
        i < 5 ? (slot < 6 || slot % 2 === 0 ? 'export' : 'renewal') : slot >= 2 * (i - 5) && slot % 3 === 0 ? 'termination' : slot % 2 === 0 ? 'export' : 'renewal';
      if (kind === 'export') {
        return send(contractId, kind, null, () => commands.requestDataExport(contractId, AM, null));
      }
      if (kind === 'renewal') {
        const invoiceId = `INV-${randomUUID()}`;
        const now = await engine.now();
        const start = termEnds.get(contractId)!;
        return send(contractId, kind, invoiceId, () =>
          commands.acceptRenewal(contractId, { invoiceId, coveredPeriod: { start, end: addDuration(start, 'P1M') }, acceptedAt: now }, BILLING),
        );
      }
      return send(contractId, kind, null, () => commands.terminate(contractId, 'client left', AM));
    };

    // Twenty slots of ten commands, from 12 h before the term end to 36 h after it (past the
    // return window and into destruction), each slot's commands racing the clock as it moves.
    for (let slot = 0; slot < 20; slot++) {
      const at = shift(termEnd, -12 * HOUR + slot * (48 * HOUR) / 20);
      await Promise.all([engine.sleepUntil(at), ...ids.map((id) => command(id, slot))]);
    }
    expect(sent).toHaveLength(200);

    // None of them met the old hand-off or an engine fault: a 409 contract.closed, a 5xx, an unknown code.
    for (const s of sent) {
      if (s.outcome.applied) continue;
      expect(s.outcome.code).not.toBe('contract.closed');
      expect(s.outcome.status).toBeGreaterThanOrEqual(400);
      expect(s.outcome.status).toBeLessThan(500);
      expect(DOMAIN_CODES[s.kind]).toContain(s.outcome.code);
    }
    // Every kind was both applied and refused somewhere across the end.
    for (const kind of ['export', 'renewal', 'termination'] as const) {
      expect(sent.some((s) => s.kind === kind && s.outcome.applied)).toBe(true);
      expect(sent.some((s) => s.kind === kind && !s.outcome.applied)).toBe(true);
    }

    // The trail holds what was applied, once, and nothing that was refused.
    for (const id of ids) {
      const events = await engine.events(id);
      const mine = sent.filter((s) => s.contractId === id);
      const accepted = events.filter((e) => e.type === 'RenewalAccepted').map((e) => (e.data as { invoiceId: string }).invoiceId);
      expect(accepted.sort()).toEqual(mine.filter((s) => s.kind === 'renewal' && s.outcome.applied).map((s) => s.key).sort());
      const terminations = events.filter((e) => e.type === 'ContractTerminated').length;
      expect(terminations).toBe(mine.filter((s) => s.kind === 'termination' && s.outcome.applied).length);
      expect(terminations).toBeLessThanOrEqual(1);
      expect(events.filter((e) => e.type === 'DataExportRequested').length).toBe(mine.filter((s) => s.kind === 'export' && s.outcome.applied).length);
      // Each contract ended once: the five that gave notice expired, the others were terminated.
      expect(events.filter((e) => e.type === (ids.indexOf(id) < 5 ? 'ContractExpired' : 'ContractTerminated')).length).toBe(1);
      expect(events.filter((e) => e.type === 'ContractExpired' || e.type === 'ContractTerminated').length).toBe(1);
    }

    // After the certificates (the workflows are finished), the domain still answers over the stored state.
    await engine.sleepUntil(shift(termEnd, 3 * DAY));
    for (const id of ids) await engine.waitForDestruction(id);
    const after: Sent[] = [];
    for (const id of ids) {
      for (const [kind, call] of [
        ['export', () => commands.requestDataExport(id, AM, null)],
        ['termination', () => commands.terminate(id, 'client left', AM)],
      ] as const) {
        const error = await call().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ApiError);
        after.push({ contractId: id, kind, key: null, outcome: { applied: false, status: (error as ApiError).status, code: (error as ApiError).code } });
      }
      expect((await engine.env.client.workflow.getHandle(contractWorkflowId(id)).describe()).status.name).toBe('COMPLETED');
    }
    expect(after.map((s) => (s.outcome.applied ? 'applied' : s.outcome.code))).toEqual(after.map(() => 'contract.destroyed'));
    // 220 commands and ten destructions, each a few workflow tasks: minutes on a loaded 2-core machine.
  }, 300_000);
});
