import { type MailCarry } from './mail';

/**
 * What every file's messages share: how a workflow id is formed, who asked (kept for the audit
 * trail), the snapshot every update answers, and how a domain refusal travels back to the client.
 */

/** Every file's workflow id: its stream type and its id. One workflow owns that stream for life. */
export const workflowIdOf = (streamType: string, streamId: string) => `${streamType}-${streamId}`;

/** Who asked: a role and a key id, kept in event metadata for the audit trail. */
export interface Actor {
  /** `controller`: a person of the controller, by a signed link emailed to it (keyId names the link's key). */
  readonly role: 'account_manager' | 'billing' | 'dpo' | 'admin' | 'engine' | 'controller';
  readonly keyId?: string | null;
}

/** A stream's state and the version it stands at: what every update answers. */
export interface Snapshot<S> {
  readonly state: S;
  readonly version: number;
  /** Carried through continue-as-new only: the emails the file waits to hear were sent, and those it recorded. */
  readonly mail?: MailCarry;
}

/** The ApplicationFailure type that carries a domain refusal; details[0] = {code, kind, details}. */
export const DOMAIN_FAILURE = 'DomainError';

export interface DomainFailureDetails {
  readonly code: string;
  readonly kind: 'validation' | 'conflict' | 'rule' | 'not_found';
  readonly details?: Record<string, unknown>;
}
