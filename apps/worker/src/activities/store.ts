import { ApplicationFailure } from '@temporalio/common';
import { isDomainError } from '#domain';
import { ConcurrencyError, EventStoreError } from '#infra/event-store/errors';
import { streamTypeOf, toNewEvents, type EventMetadata } from '#infra/event-store/streams';
import { type ActivityDependencies } from './dependencies';
import { databaseFailure } from './failures';

/*
 * The event store, as the workflows reach it: every workflow writes its stream's events and reads
 * them back through these two activities, whatever the stream type.
 */

export function storeActivities(deps: ActivityDependencies) {
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
  };
}
