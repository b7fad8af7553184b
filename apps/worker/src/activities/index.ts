import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { linkUrl, type LinkSettings } from '../../../../libs/infra/src/links';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type DataSource } from 'typeorm';
import { CANONICAL_UUID, isDomainError, type ExportedLocation } from '../../../../libs/domain/src';
import { streamTypeOf, toNewEvents, type EventMetadata } from '../../../../libs/infra/src/event-store/streams';
import { ConcurrencyError, EventStoreError } from '../../../../libs/infra/src/event-store/errors';
import { type EventStore } from '../../../../libs/infra/src/event-store/event-store';
import { affectedContractsPage, resolveAffectedContracts, type AffectedContract } from '../../../../libs/infra/src/incidents/affected-contracts';
import { subProcessorNoticeId } from '../../../../libs/infra/src/ids';
import {
  breachNoticeWorkflowId,
  changeStorageLocationsUpdate,
  contractWorkflowId,
  DOMAIN_FAILURE,
  subProcessorNoticeWorkflowId,
  type DomainFailureDetails,
  type SubProcessorNoticeWorkflowInput,
  incidentClosedSignal,
  incidentUpdatedSignal,
  type BreachNoticeWorkflowInput,
  type LocationInventory,
} from '../../../../libs/infra/src/temporal/messages';
import { controllerIdentity, type OrderedOrLater, type StorageLocation, type SubProcessorChange, type DpoContact, type IncidentContent, type IncidentScope, type IsoDuration, type RecordEmailSent } from '../../../../libs/domain/src';
import { type CredentialVault } from '../../../../libs/infra/src/vault/credential-vault';
import { composeNotice, type Notice } from '../mail/notices';
import { type Outbox } from '../mail/outbox';
import { type WorkerMetrics } from '../metrics';
import { StorageError } from '../storage/storage-adapter';
import { adapterFor, type StorageRegistry } from '../storage/registry';

export interface ActivityDependencies {
  readonly store: EventStore;
  readonly vault: CredentialVault;
  readonly storage: StorageRegistry;
  readonly outbox: Outbox;
  readonly exportRoot: string;
  readonly processorDpoEmail: string;
  readonly accountManagementEmail: string;
  /** Signs the links emails carry (CONTACT_LINK_KEYS). */
  readonly links: LinkSettings;
  readonly dataSource: DataSource;
  /** The worker's own Temporal client: an incident starts its notices' workflows and relays to them. */
  readonly client: Client;
  /** Counts what the activities write, when the worker serves /metrics. */
  readonly metrics?: WorkerMetrics;
}

/** Affected contracts handled per page of a fan-out, and workflows started or signalled at once. */
const FAN_OUT_PAGE = 200;
const FAN_OUT_CONCURRENCY = 64;

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}


export interface StorageTarget {
  readonly contractId: string;
  readonly locationId: string;
}

/** Server time of this attempt: the workflow's clock, also under the time-skipping test server. */
function attemptTime(): string {
  return new Date(Context.current().info.currentAttemptScheduledTimestampMs).toISOString();
}

/**
 * PostgreSQL refusing the data itself (SQLSTATE classes 22 and 23: bad value, constraint) will
 * refuse it again on every retry: fail at once, with the code only (messages may quote values).
 * Anything else — the server down, a connection reset — is retried.
 */
function databaseFailure(e: unknown): never {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) {
    throw ApplicationFailure.nonRetryable(`the database refused the write (SQLSTATE ${code})`, 'DatabaseRefusal', { code });
  }
  throw e;
}

/**
 * Heartbeats every few seconds while `work` runs, whatever it does (walking a large tree, copying):
 * the heartbeat timeout then only catches a worker that died, not one that is busy.
 */
async function keepAlive<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  const beat = setInterval(() => context.heartbeat(), 5_000);
  try {
    return await work(context.cancellationSignal);
  } finally {
    clearInterval(beat);
  }
}

function storageFailure(e: unknown): never {
  if (e instanceof StorageError) throw ApplicationFailure.retryable(e.message, e.code);
  throw e;
}

/** Thin adapters to PostgreSQL, the vault, storage locations and the mail outbox. */
export function createActivities(deps: ActivityDependencies) {
  const exportsOf = (contractId: string) => {
    if (!CANONICAL_UUID.test(contractId)) throw ApplicationFailure.nonRetryable('contract ids are UUIDs', 'storage.invalid_contract');
    return path.join(deps.exportRoot, contractId);
  };
  return {
    /** Any stream type's events; idempotent per (stream, version): a retried append reports success without writing. */
    async appendEvents(input: {
      streamType: string;
      streamId: string;
      expectedVersion: number;
      events: readonly { readonly type: string }[];
      metadata: EventMetadata;
    }): Promise<{ version: number }> {
      const stream = streamTypeOf(input.streamType);
      if (!stream) throw ApplicationFailure.nonRetryable(`unknown stream type ${input.streamType}`, 'EventStoreError', { code: 'event_store.unknown_stream_type' });
      try {
        const result = await deps.store.append(input.streamType, input.streamId, input.expectedVersion, toNewEvents(stream, input.events, input.metadata));
        if (!result.duplicate) deps.metrics?.eventsAppended.inc({ stream_type: input.streamType }, input.events.length);
        return { version: result.version };
      } catch (e) {
        if (e instanceof ConcurrencyError || e instanceof EventStoreError) {
          throw ApplicationFailure.nonRetryable(e.message, e.name, { code: e.code });
        }
        // The projection applies the domain to the events: a refusal there will not change on retry.
        if (isDomainError(e)) throw ApplicationFailure.nonRetryable(e.message, 'EventStoreError', { code: e.code });
        return databaseFailure(e);
      }
    },

    /** A stream's events after `afterVersion`, as the current events of its type (upcast). */
    async readEvents(input: { streamType: string; streamId: string; afterVersion: number }): Promise<{ readonly type: string }[]> {
      const stream = streamTypeOf(input.streamType);
      if (!stream) throw ApplicationFailure.nonRetryable(`unknown stream type ${input.streamType}`, 'EventStoreError', { code: 'event_store.unknown_stream_type' });
      const recorded = await deps.store.readStream(input.streamId, input.afterVersion + 1).catch(databaseFailure);
      return recorded.map((e) => stream.upcast(e));
    },

    /** L7: crypto-shredding of every credential of the contract (idempotent). */
    async shredCredentials(input: { contractId: string }): Promise<{ credentialIds: string[] }> {
      const { credentialIds } = await deps.vault.shred(input.contractId);
      return { credentialIds };
    },

    async inventoryLocation(target: StorageTarget): Promise<LocationInventory> {
      const manifest = await keepAlive(() => adapterFor(deps.storage, target.locationId).inventory(target.contractId)).catch(storageFailure);
      return { ...manifest, inventoriedAt: attemptTime() };
    },

    /** Heartbeats as it deletes, so a dead worker's attempt is noticed and retried elsewhere; stops when cancelled. */
    async destroyLocation(target: StorageTarget): Promise<{ method: string }> {
      const adapter = adapterFor(deps.storage, target.locationId);
      await keepAlive((signal) => adapter.destroy(target.contractId, (removed) => Context.current().heartbeat(removed), signal)).catch(storageFailure);
      return { method: adapter.method };
    },

    /** L10: each location is verified on its own; anything left fails the attempt. */
    async verifyLocation(target: StorageTarget): Promise<{ verifiedAt: string }> {
      const left = await keepAlive(() => adapterFor(deps.storage, target.locationId).remaining(target.contractId)).catch(storageFailure);
      if (left > 0) throw ApplicationFailure.retryable(`${left} objects remain after destruction`, 'storage.not_destroyed');
      return { verifiedAt: attemptTime() };
    },

    /** L9: copies the contract's data at one location out for the controller. */
    async exportLocation(target: StorageTarget & { requestId: string }): Promise<ExportedLocation> {
      const dir = path.join(exportsOf(target.contractId), target.requestId, target.locationId);
      const manifest = await keepAlive(() => adapterFor(deps.storage, target.locationId).exportTo(target.contractId, dir)).catch(storageFailure);
      return { locationId: target.locationId, ...manifest };
    },

    /** The copies made for the controller are personal data too: removed, and proved gone, before the certificate. */
    async purgeExports(input: { contractId: string }): Promise<{ removed: boolean }> {
      const dir = exportsOf(input.contractId);
      return keepAlive(async () => {
        const existed = await fs.stat(dir).then(() => true, () => false);
        await fs.rm(dir, { recursive: true, force: true });
        if (await fs.stat(dir).then(() => true, () => false)) throw ApplicationFailure.retryable('export copies remain', 'storage.not_destroyed');
        return { removed: existed };
      });
    },

    /**
     * A notice into the outbox, worded by the mail adapter; the dispatcher sends it once (one
     * message id per notice) and reports its delivery to the workflow that asked for it.
     */
    /** What became of one of the outbox's messages (its workflow pulls it when a report lags behind a clock). */
    async deliveryOf(input: { key: string }): Promise<RecordEmailSent | null> {
      return deps.outbox.deliveryOf(input.key).catch(databaseFailure);
    },

    async sendNotice(notice: Notice): Promise<void> {
      const owner = Context.current().info.workflowExecution?.workflowId ?? null;
      await deps.outbox.enqueue(composeNotice(notice, { processorDpo: deps.processorDpoEmail, accountManagement: deps.accountManagementEmail, link: (request) => linkUrl(request, deps.links) }), owner).catch(databaseFailure);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * Walks an incident's affected contracts page by page, doing `work` for each; the heartbeat carries
 * the last contract done, so a retried attempt (a worker that died) resumes there. Returns the count.
 */
async function fanOut(deps: ActivityDependencies, incidentId: string, work: (contract: AffectedContract) => Promise<void>): Promise<number> {
  const context = Context.current();
  const resumed = context.info.heartbeatDetails as { after: string | null; done: number } | undefined;
  let after = resumed?.after ?? null;
  let done = resumed?.done ?? 0;
  // Beats every few seconds whatever a page costs, each beat carrying the progress so far.
  const beat = setInterval(() => context.heartbeat({ after, done }), 5_000);
  try {
    for (;;) {
      const page = await affectedContractsPage(deps.dataSource, incidentId, after, FAN_OUT_PAGE).catch(databaseFailure);
      await inParallel(page, FAN_OUT_CONCURRENCY, work);
      done += page.length;
      if (page.length > 0) after = page.at(-1)!.contractId;
      context.heartbeat({ after, done });
      if (page.length < FAN_OUT_PAGE) return done;
    }
  } finally {
    clearInterval(beat);
  }
}

/** The incident's work across its contracts (DESIGN §3.1): resolution, then one notice workflow per contract. */
export function incidentActivities(deps: ActivityDependencies) {
  return {
    async resolveAffectedContracts(input: { incidentId: string; scope: IncidentScope }): Promise<{ count: number; digest: string }> {
      return keepAlive(() => resolveAffectedContracts(deps.dataSource, input.incidentId, input.scope)).catch(databaseFailure);
    },

    /** Starts each notice's workflow (its id follows from incident and contract: one each, whatever retries). */
    async openBreachNotices(input: { incidentId: string; awareAt: string; target: IsoDuration; content: IncidentContent; openedAt: string }): Promise<{ count: number }> {
      const taskQueue = Context.current().info.taskQueue;
      const count = await fanOut(deps, input.incidentId, async (c) => {
        const args: BreachNoticeWorkflowInput = {
          noticeId: c.noticeId,
          parties: { controllerName: c.controllerName, controllerEmail: c.controllerEmail, controllerDpoEmail: c.controllerDpoEmail, contractReference: c.contractReference, breachContact: c.breachContact },
          open: { incidentId: input.incidentId, contractId: c.contractId, awareAt: input.awareAt, target: input.target, content: input.content, openedAt: input.openedAt },
        };
        try {
          await deps.client.workflow.start('breachNoticeWorkflow', { workflowId: breachNoticeWorkflowId(c.noticeId), taskQueue, args: [args], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
        } catch (e) {
          if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        }
      });
      return { count };
    },

    /** An update as a supplement, or the closure, to every notice (each records it once). */
    async relayToBreachNotices(input: { incidentId: string; update?: { number: number; changes: Partial<IncidentContent>; updatedAt: string }; closedAt?: string }): Promise<{ count: number }> {
      const count = await fanOut(deps, input.incidentId, async (c) => {
        const handle = deps.client.workflow.getHandle(breachNoticeWorkflowId(c.noticeId));
        try {
          if (input.update) await handle.signal(incidentUpdatedSignal, input.update);
          else await handle.signal(incidentClosedSignal, { closedAt: input.closedAt! });
        } catch (e) {
          // A notice already closed has nothing more to hear.
          if (!(e instanceof WorkflowNotFoundError)) throw e;
        }
      });
      return { count };
    },
  };
}

export type IncidentActivities = ReturnType<typeof incidentActivities>;

/** The controllers written to per page of a DPO change, and emails enqueued at once. */
const DPO_CHANGE_PAGE = 500;

/**
 * P12 (DESIGN §3.6): a change of the processor's DPO, written once to every controller with a
 * contract active or awaiting destruction — one email per controller (its identity: customer id,
 * else email), however many contracts it has, to the address of its latest one. The message ids
 * follow from version and identity, so a retried attempt enqueues nothing twice.
 */
export function dpoActivities(deps: ActivityDependencies) {
  return {
    async communicateDpoChange(input: { version: number; dpo: DpoContact }): Promise<{ controllers: number; digest: string }> {
      const context = Context.current();
      // A set: two spellings SQL groups apart that the domain reads as one controller are one email (one message id).
      const hashes = new Set<string>();
      let after: string | null = null;
      for (;;) {
        const rows = (await deps.dataSource
          .query(
            `SELECT DISTINCT ON (c.ident) c.ident, c.id, c.state->'controller' AS controller, c.state->>'reference' AS reference
               FROM (SELECT id, ordered_at, state,
                       (CASE WHEN coalesce(btrim(state->'controller'->>'customerId'), '') <> '' THEN 'customer:' || btrim(state->'controller'->>'customerId')
                            ELSE 'email:' || lower(btrim(state->'controller'->>'email')) END) COLLATE "C" AS ident
                     FROM contracts WHERE status IN ('active', 'expired', 'terminated')) c
              WHERE $1::text IS NULL OR c.ident > $1::text
              ORDER BY c.ident, c.ordered_at DESC, c.id DESC
              LIMIT $2`,
            [after, DPO_CHANGE_PAGE],
          )
          .catch(databaseFailure)) as { ident: string; id: string; controller: { name: string; email: string; dpoEmail: string | null; customerId: string | null }; reference: string | null }[];
        await inParallel(rows, FAN_OUT_CONCURRENCY, async (r) => {
          // The identity is the domain's; SQL only groups by it.
          const identity = controllerIdentity(r.controller);
          const hash = createHash('sha256').update(identity).digest('hex');
          hashes.add(hash);
          const notice: Notice = { kind: 'dpo-changed', controllerHash: hash.slice(0, 32), contractId: r.id, controllerName: r.controller.name, controllerEmail: r.controller.email, controllerDpoEmail: r.controller.dpoEmail, dpo: input.dpo, version: input.version };
          await deps.outbox.enqueue(composeNotice(notice, { processorDpo: deps.processorDpoEmail, accountManagement: deps.accountManagementEmail, link: (request) => linkUrl(request, deps.links) })).catch(databaseFailure);
        });
        context.heartbeat({ done: hashes.size });
        if (rows.length < DPO_CHANGE_PAGE) break;
        after = rows.at(-1)!.ident;
      }
      return { controllers: hashes.size, digest: createHash('sha256').update([...hashes].sort().join('\n')).digest('hex') };
    },
  };
}

export type DpoActivities = ReturnType<typeof dpoActivities>;

/** Contracts told of a sub-processor change per page of its fan-out. */
const SUB_PROCESSOR_PAGE = 500;

/**
 * DESIGN §3.8: a sub-processor change reaches every contract it affects — an addition every contract
 * processing (ordered or active), a replacement those whose data is at the location it replaces —
 * through one notice each (its id follows from change and contract: a retried fan-out opens each once).
 */
export function subProcessorActivities(deps: ActivityDependencies) {
  return {
    async openSubProcessorNotices(input: { change: SubProcessorChange }): Promise<{ contracts: number; controllers: number; digest: string }> {
      const context = Context.current();
      const { taskQueue } = context.info;
      const { change } = input;
      const contracts: string[] = [];
      const controllers = new Set<string>();
      for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
        const rows = (await deps.dataSource
          .query(
            `SELECT id::text AS id, state FROM contracts
              WHERE id > $1::uuid AND status IN ('ordered', 'active')
                AND ($2::text IS NULL OR state->'catalog'->'storageLocations' ? $2::text)
              ORDER BY id LIMIT $3`,
            [after, change.replaces, SUB_PROCESSOR_PAGE],
          )
          .catch(databaseFailure)) as { id: string; state: OrderedOrLater }[];
        await inParallel(rows, FAN_OUT_CONCURRENCY, async ({ id, state }) => {
          const noticeId = subProcessorNoticeId(change.changeId, id);
          const args: SubProcessorNoticeWorkflowInput = {
            noticeId,
            contractId: id,
            change,
            parties: { controllerName: state.controller.name, controllerEmail: state.controller.email, controllerDpoEmail: state.controller.dpoEmail, contractReference: state.reference },
          };
          try {
            await deps.client.workflow.start('subProcessorNoticeWorkflow', { workflowId: subProcessorNoticeWorkflowId(noticeId), taskQueue, args: [args], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
          } catch (e) {
            if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
          }
          contracts.push(id);
          controllers.add(controllerIdentity(state.controller));
        });
        context.heartbeat({ done: contracts.length });
        if (rows.length < SUB_PROCESSOR_PAGE) break;
        after = rows.at(-1)!.id;
      }
      return { contracts: contracts.length, controllers: controllers.size, digest: createHash('sha256').update([...contracts].sort().join('\n')).digest('hex') };
    },

    /** The change, on its effective date, to the contract's own workflow (its only writer); a contract no longer processing keeps its data where it is. */
    async applySubProcessorChange(input: { contractId: string; changeId: string; added: StorageLocation | null; removed: string | null; dueAt: string }): Promise<{ applied: boolean; storageLocations: string[] | null; why: string | null }> {
      const { contractId, ...change } = input;
      try {
        const { state } = await deps.client.workflow.getHandle(contractWorkflowId(contractId)).executeUpdate(changeStorageLocationsUpdate, { args: [{ ...change, actor: { role: 'engine' } }] });
        const taken = state.status !== 'none' && (state.locationChanges ?? []).includes(input.changeId);
        return { applied: taken, storageLocations: state.status === 'none' ? null : [...state.catalog.storageLocations], why: taken ? null : 'contract.not_changed' };
      } catch (e) {
        // A contract whose workflow finished was destroyed: its stored state still says whether it took the change.
        if (e instanceof WorkflowNotFoundError) {
          const [row] = (await deps.dataSource.query(`SELECT state FROM contracts WHERE id = $1`, [contractId]).catch(databaseFailure)) as { state: OrderedOrLater }[];
          const taken = (row?.state.locationChanges ?? []).includes(input.changeId);
          return { applied: taken, storageLocations: taken ? [...row!.state.catalog.storageLocations] : null, why: taken ? null : 'contract.destroyed' };
        }
        const cause = e instanceof WorkflowUpdateFailedError ? e.cause : null;
        if (cause instanceof ApplicationFailure && cause.type === DOMAIN_FAILURE) {
          return { applied: false, storageLocations: null, why: (cause.details?.[0] as DomainFailureDetails | undefined)?.code ?? 'contract.refused' };
        }
        throw e;
      }
    },
  };
}

export type SubProcessorActivities = ReturnType<typeof subProcessorActivities>;
