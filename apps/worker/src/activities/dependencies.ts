import { type Client } from '@temporalio/client';
import { type DataSource } from 'typeorm';
import { type EventStore } from '#infra/event-store/event-store';
import { type LinkSettings } from '#infra/links';
import { type CredentialVault } from '#infra/vault/credential-vault';
import { type Outbox } from '../mail/outbox';
import { type WorkerMetrics } from '../metrics';
import { type StorageRegistry } from '../storage/registry';

/*
 * What the worker's activities are given at start-up (worker.ts builds it). In a file of its own so
 * that each activity file, and index.ts that gathers them, can import it without a cycle.
 */

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
