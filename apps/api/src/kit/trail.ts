import { type RecordedEvent, type VerifyResult } from '../../../../libs/infra/src/event-store/event-store';

/** DESIGN §6 `…/events`: a file's trail, every event with its hash chain, as every file type shows it. */
export function trailView(events: readonly RecordedEvent[]) {
  return {
    events: events.map((e) => ({
      position: e.position,
      version: e.version,
      type: e.type,
      schemaVersion: e.schemaVersion,
      occurredAt: e.occurredAt,
      recordedAt: e.recordedAt,
      data: e.data,
      metadata: e.metadata,
      prevHash: e.prevHash,
      hash: e.hash,
    })),
  };
}

/** DESIGN §6 `…/events/verify`. */
export const verifyView = (result: VerifyResult) => (result.valid ? { valid: true } : { valid: false, brokenAt: result.brokenAt, reason: result.reason });
