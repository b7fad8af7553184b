import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { controllerIdentity, type DpoContact } from '#domain';
import { CONTROLLER_IDENTITY_SQL } from '#infra/controllers';
import { linkUrl } from '#infra/links';
import { wordsOf } from '../mail/readers';
import { composeNotice, type Notice } from '../mail/notices';
import { type ActivityDependencies } from './dependencies';
import { databaseFailure } from './failures';
import { FAN_OUT_CONCURRENCY, inParallel } from './fan-out';
import { keepAlive } from './heartbeats';

/*
 * The processor's DPO change (DESIGN §3.6), as processor-dpo.workflow.ts reaches it: one activity
 * that walks the controllers page by page, so a retry after a dead worker writes nobody twice.
 */

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
      // Beats every few seconds whatever a page costs: a 20 s heartbeat timeout then finds a dead worker fast.
      return keepAlive(async () => {
        for (;;) {
          const rows = (await deps.dataSource
            .query(
              `SELECT DISTINCT ON (c.ident) c.ident, c.id, c.state->'controller' AS controller, c.state->>'reference' AS reference
                 FROM (SELECT id, ordered_at, state,
                         ${CONTROLLER_IDENTITY_SQL('contracts')} COLLATE "C" AS ident
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
            const words = await wordsOf(deps.dataSource, notice).catch(databaseFailure);
            await deps.outbox.enqueue(composeNotice(notice, { processorDpo: deps.processorDpoEmail, accountManagement: deps.accountManagementEmail, link: (request) => linkUrl(request, deps.links) }, words)).catch(databaseFailure);
          });
          context.heartbeat({ done: hashes.size });
          if (rows.length < DPO_CHANGE_PAGE) break;
          after = rows.at(-1)!.ident;
        }
        return { controllers: hashes.size, digest: createHash('sha256').update([...hashes].sort().join('\n')).digest('hex') };
      });
    },
  };
}

export type DpoActivities = ReturnType<typeof dpoActivities>;
