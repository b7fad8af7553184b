import { randomUUID } from 'node:crypto';
import { type WorkflowClientInterceptor } from '@temporalio/client';
import { type temporal } from '@temporalio/proto';

/**
 * The server's answer to an update it delivered to a worker in a workflow task that completed
 * without accepting or rejecting it (under load, a task of many updates at once: 50 acceptances
 * of one invoice, say): "Workflow Update is rejected because it wasn't processed by worker". The
 * workflow never saw it, so nothing was recorded: it is sent again, under a new update id.
 */
export const UNPROCESSED_UPDATE = 'UnprocessedUpdate';

export const isUnprocessed = (outcome: temporal.api.update.v1.IOutcome | null | undefined): boolean => outcome?.failure?.applicationFailureInfo?.type === UNPROCESSED_UPDATE;

/**
 * A client interceptor that sends an update again when the server rejected it as unprocessed, up
 * to `attempts` times in all, a little later each time; the last answer is the caller's whatever
 * it is. Updates with start too (the start is USE_EXISTING for every file: the workflow it started
 * the first time is the one the update goes to).
 */
export function resendUnprocessedUpdates(attempts = 6, pauseMs = 50): WorkflowClientInterceptor {
  const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
  return {
    async startUpdate(input, next) {
      for (let attempt = 1; ; attempt++) {
        const output = await next(attempt === 1 ? input : { ...input, options: { ...input.options, updateId: randomUUID() } });
        if (attempt >= attempts || !isUnprocessed(output.outcome)) return output;
        await pause(attempt);
      }
    },
    async startUpdateWithStart(input, next) {
      for (let attempt = 1; ; attempt++) {
        const output = await next(attempt === 1 ? input : { ...input, updateOptions: { ...input.updateOptions, updateId: randomUUID() } });
        if (attempt >= attempts || !isUnprocessed(output.updateOutcome)) return output;
        await pause(attempt);
      }
    },
  };
}
