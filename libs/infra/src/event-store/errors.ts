/** A refusal of the event store, with a stable machine-readable code. Messages hold no event data. */
export class EventStoreError extends Error {
  override readonly name: string = 'EventStoreError';
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Another writer appended to the stream first: re-read and decide again. */
export class ConcurrencyError extends EventStoreError {
  override readonly name = 'ConcurrencyError';
  constructor(streamId: string, expected: number, actual: number) {
    super('event_store.concurrency', `stream ${streamId} is at version ${actual}, not the expected ${expected}`, {
      streamId,
      expected,
      actual,
    });
  }
}
