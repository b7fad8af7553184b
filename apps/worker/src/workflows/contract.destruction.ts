import { ActivityFailure, ApplicationFailure, proxyActivities, sleep, uuid4 } from '@temporalio/workflow';
import { addDuration, hasDestructionPlan, pendingLocationIds, unservedExports, type ContractCommand, type ContractEvent, type ContractState, type EmailSent, type PlannedDestruction, type Timer } from '#domain';
import { type DestructionLocationProgress, type DestructionProgress } from '#infra/temporal/messages';
import type { Activities } from '../activities';
import { UNEXPECTED_FAILURE_BACKOFF, type FileLedger } from '../kit/entity';
import { ENGINE, now } from '../kit/ledger';

/** The contract's stream as its workflow holds it (the destruction phase writes it too). */
export type ContractLedger = FileLedger<ContractCommand, ContractEvent | EmailSent, ContractState>;

// Each storage step is retried a few times in place; past that, the round is recorded as failed
// and the location is tried again later (ROUND_DELAYS), for as long as it takes (L11).
const storage = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  // A dead worker's attempt is noticed this soon and retried on another.
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 4 },
});

// Removing the copies handed back to the controller (L9) is retried until it succeeds: the
// certificate must not be issued while a copy remains.
const purge = proxyActivities<Pick<Activities, 'purgeExports'>>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});


const ROUND_DELAYS = ['PT1H', 'PT2H', 'PT4H', 'PT6H'] as const;
const roundDelay = (round: number) => ROUND_DELAYS[Math.min(round, ROUND_DELAYS.length) - 1]!;

const plan = (state: ContractState): PlannedDestruction | null => (hasDestructionPlan(state) ? state.destruction : null);

/**
 * The data of an ended contract, destroyed at every storage location before end + P2M (P11,
 * L8–L11), as the last phase of the contract's own workflow: it serves export requests inside the
 * return window, destroys and verifies each location on its own (detached, so the escalation and
 * deadline timers keep their instants), escalates a safety margin before the deadline, records a
 * missed deadline and keeps trying, and issues the destruction certificate.
 */
export function destructionPhase(contractId: string, ledger: ContractLedger, carried: DestructionProgress | undefined) {
  const progress: Record<string, DestructionLocationProgress> = { ...(carried?.locations ?? {}) };
  let exportRounds = carried?.exportRounds ?? 0;
  let exportRetryAt: number | null = carried?.exportRetryAt ?? null;
  const inFlight = new Set<string>();
  let exporting = false;
  let wake = 0;
  /** Failures of detached tasks that were not storage failures (e.g. a refused append): the loop backs off. */
  const unexpected: unknown[] = [];

  const record = (command: ContractCommand) => ledger.serially(() => ledger.commit(command, ENGINE));
  const detach = (work: Promise<void>, done: () => void) =>
    void work
      .catch((e: unknown) => void unexpected.push(e))
      .finally(() => {
        done();
        wake++;
      });

  /**
   * L9: the controller gets its data back from every location before anything is destroyed. An
   * unavailable location is tried again later, like a destruction round: destruction waits for it.
   */
  async function serveExports(d: PlannedDestruction): Promise<void> {
    try {
      for (const request of unservedExports(d)) {
        const locations = await Promise.all(d.locations.map((l) => storage.exportLocation({ contractId, locationId: l.id, requestId: request.requestId })));
        await record({ type: 'ServeDataExport', data: { requestId: request.requestId, servedAt: now(), locations } });
      }
      exportRounds = 0;
      exportRetryAt = null;
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      exportRounds++;
      exportRetryAt = Date.parse(addDuration(now(), roundDelay(exportRounds)));
    }
  }

  /** L10: one location — inventory (once), destroy, verify, evidence. A failed round is recorded. */
  async function destroyLocation(locationId: string): Promise<void> {
    const p = progress[locationId] ?? { inventory: null, rounds: 0, nextAttemptAt: null };
    const round = p.rounds + 1;
    try {
      const inventory = p.inventory ?? (await storage.inventoryLocation({ contractId, locationId }));
      progress[locationId] = { ...p, inventory, nextAttemptAt: null };
      const { method } = await storage.destroyLocation({ contractId, locationId });
      const { verifiedAt } = await storage.verifyLocation({ contractId, locationId });
      const { objectCount, bytes, manifestHash, inventoriedAt } = inventory;
      await record({ type: 'RecordLocationDestroyed', data: { locationId, destroyedAt: now(), evidence: { objectCount, bytes, manifestHash, method, inventoriedAt, verifiedAt } } });
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      const cause = e.cause instanceof ApplicationFailure ? e.cause : null;
      const reason = (cause?.type ?? 'storage.failed').slice(0, 100);
      const failedAt = now();
      progress[locationId] = { ...(progress[locationId] ?? p), rounds: round, nextAttemptAt: addDuration(failedAt, roundDelay(round)) };
      await record({ type: 'RecordLocationDestructionFailed', data: { locationId, failedAt, attempt: round, reason } });
    }
  }

  async function complete(d: PlannedDestruction): Promise<void> {
    // The copies handed back to the controller are personal data too: gone before the certificate.
    if (d.exportRequests.length > 0) await purge.purgeExports({ contractId });
    await record({ type: 'CompleteDestruction', data: { completedAt: now(), certificateId: uuid4() } });
    const s = ledger.state;
    if (s.status === 'destroyed' && s.destruction.certificate) {
      await ledger.mail.send({ kind: 'certificate', contractId, reference: s.reference, controllerName: s.controller.name, controllerEmail: s.controller.email, certificate: s.destruction.certificate });
    }
  }

  return {
    /** One turn of the phase: exports, rounds of destruction, the certificate. */
    async step(): Promise<void> {
      if (unexpected.length > 0) {
        // Not a storage failure (a refused append, say): back off rather than spin, then look again.
        unexpected.length = 0;
        await sleep(UNEXPECTED_FAILURE_BACKOFF);
        return;
      }
      const d = plan(ledger.state);
      if (!d) return;
      if (d.status === 'scheduled' && unservedExports(d).length > 0 && !exporting && (exportRetryAt === null || exportRetryAt <= Date.now())) {
        exporting = true;
        exportRetryAt = null;
        detach(serveExports(d), () => (exporting = false));
      }
      if (d.status !== 'in_progress') return;
      const pending = d.locations.filter((l) => l.status !== 'destroyed');
      if (pending.length === 0) return complete(d);
      for (const l of pending) {
        const due = progress[l.id]?.nextAttemptAt;
        if (!inFlight.has(l.id) && (!due || Date.parse(due) <= Date.now())) {
          inFlight.add(l.id);
          detach(destroyLocation(l.id), () => inFlight.delete(l.id));
        }
      }
    },

    /** When the next round of each location still to destroy (and of unserved exports) is due. */
    wakeTimes(): number[] {
      const d = plan(ledger.state);
      if (!d) return [];
      const rounds = d.locations
        .filter((l) => l.status !== 'destroyed' && !inFlight.has(l.id))
        .map((l) => progress[l.id]?.nextAttemptAt)
        .filter((at): at is string => typeof at === 'string')
        .map((at) => Date.parse(at));
      return d.status === 'scheduled' && !exporting && exportRetryAt !== null && unservedExports(d).length > 0 ? [...rounds, exportRetryAt] : rounds;
    },

    wakes: () => wake,

    idle: () => inFlight.size === 0 && !exporting,

    /** L11: the escalation and the missed deadline each notify the processor's DPO, once. */
    async afterTimer(timer: Timer<ContractCommand>): Promise<void> {
      const d = plan(ledger.state);
      if (!d || (timer.kind !== 'escalation' && timer.kind !== 'destruction-deadline')) return;
      const pendingLocations = pendingLocationIds(d);
      const s = ledger.state;
      const party = s.status === 'none' ? {} : { controllerName: s.controller.name, reference: s.reference };
      if (pendingLocations.length === 0) return;
      await ledger.mail.send(
        timer.kind === 'escalation'
          ? { kind: 'escalation', contractId, deadline: d.deadline, margin: d.escalationMargin, pendingLocations, ...party }
          : { kind: 'deadline-missed', contractId, deadline: d.deadline, pendingLocations, ...party },
      );
    },

    progress: (): DestructionProgress => ({ locations: progress, exportRounds, exportRetryAt }),
  };
}
