import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { type IncidentContent, type IncidentScope, type IsoDuration } from '#domain';
import { affectedContractsPage, resolveAffectedContracts, type AffectedContract } from '#infra/incidents/affected-contracts';
import { breachNoticeWorkflowId, incidentClosedSignal, incidentUpdatedSignal, type BreachNoticeWorkflowInput } from '#infra/temporal/messages';
import { type ActivityDependencies } from './dependencies';
import { databaseFailure } from './failures';
import { FAN_OUT_CONCURRENCY, inParallel } from './fan-out';
import { keepAlive } from './heartbeats';

/*
 * An incident's fan-out (DESIGN §3.1): the contracts it affects are resolved once, then each gets a
 * breach notice workflow of its own, and every later update or the closure is relayed to them all.
 */

/** Affected contracts handled per page of a fan-out. */
const FAN_OUT_PAGE = 200;

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
