import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type EventStore, type RecordedEvent, type VerifyResult } from '#infra/event-store/event-store';
import { createEventStore } from '#infra/event-store/streams';

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

/** Any file's trail and its verification, as the API answers them (every file type's `…/events` endpoints). */
@Injectable()
export class FileTrails {
  private readonly store: EventStore;

  constructor(@Inject(DataSource) dataSource: DataSource) {
    this.store = createEventStore(dataSource);
  }

  async events(streamId: string) {
    return trailView(await this.store.readStream(streamId));
  }

  async verify(streamId: string) {
    return verifyView(await this.store.verify(streamId));
  }
}
