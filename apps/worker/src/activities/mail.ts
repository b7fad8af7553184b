import { Context } from '@temporalio/activity';
import { type RecordEmailSent } from '#domain';
import { linkUrl } from '#infra/links';
import { composeNotice, type Notice } from '../mail/notices';
import { wordsOf } from '../mail/readers';
import { type ActivityDependencies } from './dependencies';
import { databaseFailure } from './failures';

/*
 * Mail, through the outbox: a workflow never sends an email itself. It enqueues a notice, which the
 * dispatcher sends, and later hears, or asks, what became of it.
 */

export function mailActivities(deps: ActivityDependencies) {
  return {
    /** What became of one of the outbox's messages (its workflow pulls it when a report lags behind a clock). */
    async deliveryOf(input: { key: string }): Promise<RecordEmailSent | null> {
      return deps.outbox.deliveryOf(input.key).catch(databaseFailure);
    },

    /**
     * A notice into the outbox, worded by the mail adapter; the dispatcher sends it once (one
     * message id per notice) and reports its delivery to the workflow that asked for it.
     */
    async sendNotice(notice: Notice): Promise<void> {
      const owner = Context.current().info.workflowExecution?.workflowId ?? null;
      const words = await wordsOf(deps.dataSource, notice).catch(databaseFailure);
      await deps.outbox.enqueue(composeNotice(notice, { processorDpo: deps.processorDpoEmail, accountManagement: deps.accountManagementEmail, link: (request) => linkUrl(request, deps.links) }, words), owner).catch(databaseFailure);
    },
  };
}
