import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { addDuration, nextTimer, unservedExports, type ContractState, type PlannedDestruction } from '../../../../libs/domain/src';
import {
  requestDataExportUpdate,
  snapshotQuery,
  snapshotUpdate,
  type ContractSnapshot,
  type DestructionLocationProgress,
  type DestructionWorkflowInput,
} from '../../../../libs/infra/src/temporal/messages';
import type { Activities } from '../activities';
import { contractLedger, ENGINE, handleContractCommands, isDomainFailure, isDue, msUntil, now, store, UNEXPECTED_FAILURE_BACKOFF, type ContractLedger } from './support';

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
const purge = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

const ROUND_DELAYS = ['PT1H', 'PT2H', 'PT4H', 'PT6H'] as const;
const roundDelay = (round: number) => ROUND_DELAYS[Math.min(round, ROUND_DELAYS.length) - 1]!;

type Progress = Record<string, DestructionLocationProgress>;

const destruction = (state: ContractState): PlannedDestruction | null =>
  state.status !== 'none' && state.destruction.status !== 'none' ? state.destruction : null;

/**
 * The data of an ended contract, destroyed at every storage location before end + P2M (P11,
 * L8–L11): it waits out the return window (serving export requests), destroys and verifies each
 * location on its own, escalates a safety margin before the deadline, records a missed deadline
 * and keeps trying, and issues the destruction certificate. Started by contractWorkflow, which it
 * outlives.
 */
export async function dataDestructionWorkflow(input: DestructionWorkflowInput): Promise<ContractSnapshot> {
  const { contractId } = input;
  const ledger = contractLedger(contractId, input.carried);
  const progress: Progress = { ...(input.progress ?? {}) };
  const inFlight = new Set<string>();
  let wake = 0;
  let exportRounds = input.exportRounds ?? 0;
  let exportRetryAt: number | null = input.exportRetryAt ?? null;
  let exporting = false;
  /** Failures of detached tasks that were not storage failures (e.g. a refused append): the loop backs off. */
  const unexpected: unknown[] = [];

  setHandler(snapshotQuery, () => ledger.snapshot());
  setHandler(snapshotUpdate, () => ledger.snapshot());
  handleContractCommands(ledger, contractId);
  setHandler(
    requestDataExportUpdate,
    ({ requestId, actor }) => {
      const at = now();
      return ledger.serially(async () => {
        await ledger.commit({ type: 'RequestDataExport', data: { requestId, requestedAt: at } }, actor);
        wake++;
        return ledger.snapshot();
      });
    },
    { validator: ({ requestId }) => ledger.admit({ type: 'RequestDataExport', data: { requestId, requestedAt: now() } }) },
  );

  const destroyed = () => ledger.state.status === 'destroyed';

  /** When the next round of each location still to destroy (and of unserved exports) is due. */
  const retryTimes = (): number[] => {
    const d = destruction(ledger.state);
    if (!d) return [];
    const rounds = d.locations
      .filter((l) => l.status !== 'destroyed' && !inFlight.has(l.id))
      .map((l) => progress[l.id]?.nextAttemptAt)
      .filter((at): at is string => typeof at === 'string')
      .map((at) => Date.parse(at));
    return d.status === 'scheduled' && !exporting && exportRetryAt !== null && unservedExports(d).length > 0 ? [...rounds, exportRetryAt] : rounds;
  };
  const record = (command: Parameters<ContractLedger['commit']>[0]) => ledger.serially(() => ledger.commit(command, ENGINE));

  /**
   * L9: the controller gets its data back from every location before anything is destroyed. An
   * unavailable location is tried again later, like a destruction round: destruction waits for it.
   */
  async function serveExports(d: PlannedDestruction): Promise<void> {
    try {
      for (const request of unservedExports(d)) {
        const locations = await Promise.all(
          d.locations.map((l) => storage.exportLocation({ contractId, locationId: l.id, requestId: request.requestId })),
        );
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
      await record({
        type: 'RecordLocationDestroyed',
        data: { locationId, destroyedAt: now(), evidence: { objectCount, bytes, manifestHash, method, inventoriedAt, verifiedAt } },
      });
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      const cause = e.cause instanceof ApplicationFailure ? e.cause : null;
      const reason = (cause?.type ?? 'storage.failed').slice(0, 100);
      const failedAt = now();
      progress[locationId] = { ...(progress[locationId] ?? p), rounds: round, nextAttemptAt: addDuration(failedAt, roundDelay(round)) };
      await record({ type: 'RecordLocationDestructionFailed', data: { locationId, failedAt, attempt: round, reason } });
    }
  }

  const emailDpo = (kind: 'escalation' | 'deadline-missed', subject: string, text: string) =>
    store.enqueueEmail({ messageId: `${contractId}:${kind}`, contractId, kind, to: 'processor-dpo', subject, text });

  for (;;) {
    const d = destruction(ledger.state);
    if (!d || destroyed()) break;

    if (d.status === 'scheduled' && unservedExports(d).length > 0 && !exporting && (exportRetryAt === null || exportRetryAt <= Date.now())) {
      if (patched('exports-beside-timers')) {
        // Served beside the loop, so the escalation and deadline timers keep their instants (L11).
        exporting = true;
        exportRetryAt = null;
        void serveExports(d)
          .catch((e: unknown) => void unexpected.push(e))
          .finally(() => {
            exporting = false;
            wake++;
          });
      } else {
        await serveExports(d);
      }
    }

    if (unexpected.length > 0) {
      unexpected.length = 0;
      await sleep(UNEXPECTED_FAILURE_BACKOFF);
      continue;
    }

    if (d.status === 'in_progress') {
      const pending = d.locations.filter((l) => l.status !== 'destroyed');
      if (pending.length === 0) {
        // The copies handed back to the controller are personal data too: gone before the certificate.
        if (d.exportRequests.length > 0 && patched('purge-exports-before-certificate')) await purge.purgeExports({ contractId });
        await record({ type: 'CompleteDestruction', data: { completedAt: now(), certificateId: uuid4() } });
        await emailCertificate(ledger.state);
        break;
      }
      for (const l of pending) {
        const due = progress[l.id]?.nextAttemptAt;
        if (!inFlight.has(l.id) && (!due || Date.parse(due) <= Date.now())) {
          inFlight.add(l.id);
          // Detached: every failure is caught here, so none can fail the workflow task.
          void destroyLocation(l.id)
            .catch((e: unknown) => void unexpected.push(e))
            .finally(() => {
              inFlight.delete(l.id);
              wake++;
            });
        }
      }
    }

    if (workflowInfo().continueAsNewSuggested && inFlight.size === 0 && !exporting) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof dataDestructionWorkflow>({ contractId, carried: ledger.snapshot(), progress, exportRounds, exportRetryAt });
    }

    // Sleep until the domain's next timer, the next retry round, or anything that changes the state.
    const timer = nextTimer(ledger.state);
    if (!timer || !isDue(timer.at)) {
      const until = Math.min(timer ? Date.parse(timer.at) : Infinity, ...retryTimes());
      const seenVersion = ledger.version;
      const seenWake = wake;
      const changed = () => ledger.version !== seenVersion || wake !== seenWake;
      const woke = Number.isFinite(until) ? await condition(changed, msUntil(new Date(until).toISOString())) : (await condition(changed), true);
      if (woke || !timer || !isDue(timer.at)) continue;
    }

    let recorded: unknown[];
    try {
      recorded = await ledger.serially(() => ledger.commit(timer.command, ENGINE));
    } catch (e) {
      if (!isDomainFailure(e)) {
        await sleep(UNEXPECTED_FAILURE_BACKOFF);
        continue;
      }
      recorded = [];
    }
    if (timer.kind === 'escalation' && recorded.length > 0 && !destroyed()) {
      await emailDpo(
        'escalation',
        `[DPA] Destruction not complete ${d.escalationMargin ?? 'P7D'} before its deadline — contract ${contractId}`,
        `The destruction of contract ${contractId}'s data is not complete and its deadline is ${d.deadline} (P11: two calendar months after the end of the contract).\n` +
          `Locations still pending: ${(destruction(ledger.state)?.locations ?? []).filter((l) => l.status !== 'destroyed').map((l) => l.id).join(', ')}.\nThe engine keeps trying.`,
      );
    }
    if (timer.kind === 'destruction-deadline' && recorded.length > 0 && !destroyed()) {
      await emailDpo(
        'deadline-missed',
        `[DPA] Destruction deadline missed — contract ${contractId}`,
        `The deadline ${d.deadline} for destroying contract ${contractId}'s data has passed (breach of P11). The engine keeps trying.`,
      );
    }
  }
  await condition(allHandlersFinished);
  return ledger.snapshot();
}

/** L10: the certificate, emailed to the controller once every location is destroyed. */
async function emailCertificate(state: ContractState): Promise<void> {
  if (state.status !== 'destroyed' || !state.destruction.certificate) return;
  const certificate = state.destruction.certificate;
  const lines = certificate.locations.map(
    (l) => `- ${l.name}: destroyed ${l.destroyedAt}; ${l.evidence.objectCount} objects, ${l.evidence.bytes} bytes, manifest ${l.evidence.manifestHash} (${l.evidence.method})`,
  );
  await store.enqueueEmail({
    messageId: `${state.contractId}:certificate`,
    contractId: state.contractId,
    kind: 'certificate',
    to: state.controller.email,
    subject: `Certificate of destruction of your personal data — contract ${state.reference ?? state.contractId}`,
    text:
      `All personal data processed under contract ${state.reference ?? state.contractId} has been destroyed ` +
      `(clause 11: within two months of the end of the contract, ${certificate.deadline}).\n\n` +
      `Contract ended: ${certificate.endedAt}\nDestruction completed: ${certificate.completedAt}\n\n${lines.join('\n')}\n\n` +
      `Certificate ${certificate.certificateId} is attached.`,
    attachments: [{ filename: `destruction-certificate-${certificate.certificateId}.json`, content: JSON.stringify(certificate, null, 2), contentType: 'application/json' }],
  });
}
