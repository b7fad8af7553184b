import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { controllerIdentity, FILE_TYPES, IN_PROCESSING, type FileType } from '#domain';
import { contractsOfController } from '#infra/controllers';
import { preparedQuery } from '#infra/database/prepared';
import { controllerFileId, controllerRecordId } from '#infra/ids';
import { FILE_WORKFLOW, fileCommandSignal, workflowIdOf, type Actor, type FileCommandInput, type FileWorkflowInput } from '#infra/temporal/messages';
import { type ActivityDependencies } from './dependencies';

/*
 * DESIGN §3.10: a controller's files that follow its contracts' processing (FileType.follows) hear
 * of each contract that starts processing (its hand-over) and ends it (its destruction), from the
 * contract's own workflow: told by the local activity that stores the events which start or end
 * its processing (`tell`), or on their own (`followProcessing`) when that try failed or the events
 * were folded in from the store. Nothing here names a file type.
 */

const ENGINE: Actor = { role: 'engine' };
/** Enough contracts counted to tell a controller's first and last contract in processing from the others. */
const FEW = 2;
const FOLLOWERS = FILE_TYPES.filter((t): t is FileType & Required<Pick<FileType, 'follows'>> => !!t.follows);

export interface ProcessingController {
  readonly name: string;
  readonly email: string;
  readonly customerId?: string | null;
  readonly dpoEmail: string | null;
}

export interface FollowInput {
  readonly contractId: string;
  readonly controller: ProcessingController;
  readonly started: boolean;
  /** A controller already in processing when its followers began: their first step is spread, not at once. */
  readonly backfill?: boolean;
}

export interface FollowerSettings {
  /** The period the followers work to (CONTACT_CHECK_PERIOD). */
  readonly period: string;
}

export interface FollowerDependencies extends Pick<ActivityDependencies, 'client' | 'dataSource'> {
  readonly followers: FollowerSettings;
  readonly taskQueue: string;
  /** Where a refusal is said (the worker's logger): the file type and the error's kind only. */
  readonly warn: (message: string, attributes: Record<string, unknown>) => void;
}

export function followers(deps: FollowerDependencies) {
  /** Whom the controller's followers write to: its breach contact when its record names one, else its email. */
  const contactOf = async (identity: string, email: string): Promise<string> => {
    const [row] = (await deps.dataSource.query(`SELECT state->>'breachContact' AS contact FROM controllers WHERE identity = $1`, [identity])) as { contact: string | null }[];
    return row?.contact ?? email;
  };

  const identityOf = (controller: ProcessingController) => controllerIdentity({ customerId: controller.customerId ?? null, email: controller.email });

  /**
   * How many of the controller's contracts are in processing now, and when that was counted; with
   * `upTo`, counting stops there (a controller with many contracts is not read whole at each one's
   * hand-over to learn that it is not its first). In the same statement, which of `ids` (the
   * controller's files of each of FOLLOWERS, in its order) exist.
   */
  const countOf = async (identity: string, upTo?: number, ids: readonly string[] = []): Promise<{ count: { contracts: number; countedAt: string }; exists: boolean[] }> => {
    const of = contractsOfController(identity, 1);
    const limit = upTo === undefined ? '' : ' LIMIT $3';
    const first = upTo === undefined ? 3 : 4;
    const exists = ids.map((_, i) => `, EXISTS (SELECT 1 FROM ${FOLLOWERS[i]!.readModel.table} WHERE id = $${first + i}) AS f${i}`).join('');
    // Prepared: run at every hand-over, it would otherwise be planned each time, which costs more than running it.
    const [row] = await preparedQuery<{ n: number; at: string } & Record<string, unknown>>(
      deps.dataSource,
      `SELECT count(*)::int AS n, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at${exists} FROM (
         SELECT 1 FROM contracts c WHERE ${of.where} AND c.status = ANY($2) AND c.state->>'processingStartedAt' IS NOT NULL${limit}) AS n`,
      [of.value, IN_PROCESSING, ...(upTo === undefined ? [] : [upTo]), ...ids],
    );
    return { count: { contracts: row!.n, countedAt: row!.at }, exists: ids.map((_, i) => row![`f${i}`] === true) };
  };

  /**
   * Tells each follower of the contract's controller how many of its contracts are in processing,
   * counted once this one started (or ended) processing. Only what changes a follower is sent: the
   * first contract, the last one, or a controller whose follower does not exist yet.
   */
  async function followProcessing(input: FollowInput): Promise<void> {
    const identity = identityOf(input.controller);
    const ids = FOLLOWERS.map((type) => controllerFileId(type.name, identity));
    // Counted up to two: exact whenever a follower that exists is told (its first contract, its last).
    const { count: few, exists: existing } = await countOf(identity, FEW, ids);
    for (const [i, type] of FOLLOWERS.entries()) {
      const id = ids[i]!;
      const exists = existing[i]!;
      if (exists ? (input.started ? few.contracts > 1 : few.contracts > 0) : !input.started) continue;
      // A follower that does not exist yet starts from every contract in processing.
      const count = exists || few.contracts < FEW ? few : (await countOf(identity)).count;
      const contact = await contactOf(identity, input.controller.email);
      const args: FileCommandInput = {
        command: input.started ? type.follows.started : type.follows.ended,
        body: { ...count, contact, period: deps.followers.period, backfill: input.backfill === true },
        context: { id, contractId: null, contract: null, controller: { id: controllerRecordId(identity), identity } },
        actor: ENGINE,
      };
      // A signal, not an update: recorded by the server at once, it does not wait on this worker,
      // which may be draining for shutdown (an update would then wait on itself).
      if (exists) {
        try {
          await deps.client.workflow.getHandle(workflowIdOf(type.name, id)).signal(fileCommandSignal, args);
        } catch (e) {
          // Its workflow was ended by an operator: there is no one left to tell.
          if (!(e instanceof WorkflowNotFoundError)) throw e;
          deps.warn('a follower of the controller is gone', { type: type.name });
        }
      } else {
        const parties = { controllerName: input.controller.name, controllerEmail: input.controller.email, controllerDpoEmail: input.controller.dpoEmail ?? null, contractReference: null };
        const workflow: FileWorkflowInput = { type: type.name, id, parties };
        try {
          await deps.client.workflow.signalWithStart(FILE_WORKFLOW, { workflowId: workflowIdOf(type.name, id), taskQueue: deps.taskQueue, args: [workflow], signal: fileCommandSignal, signalArgs: [args], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
        } catch (e) {
          // A follower an operator ended before its first append: it stays ended.
          if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
          deps.warn('a follower of the controller was ended', { type: type.name });
        }
      }
    }
  }

  return {
    /** News a contract's workflow tells on its own: its try with the events failed, or they were folded in from the store. */
    activities: { followProcessing },

    /**
     * The news of events just stored, told by the activity that stored them: one try, false when
     * it failed (the workflow then tells it on its own, with retries). Never thrown: a retry of
     * that activity would hold the file's commands behind its followers.
     */
    async tell(input: FollowInput): Promise<boolean> {
      try {
        await followProcessing(input);
        return true;
      } catch (e) {
        deps.warn('the followers could not be told with the events; the workflow tells them on its own', { error: (e as Error)?.name });
        return false;
      }
    },

    /**
     * Controllers already in processing whose followers do not exist yet (the engine ran before them):
     * each contract in processing is told, as a backfill, so their first steps spread over a period.
     */
    async backfill(): Promise<{ contracts: number }> {
      let contracts = 0;
      for (const type of FOLLOWERS) {
        const followed = new Set(((await deps.dataSource.query(`SELECT identity FROM ${type.readModel.table}`)) as { identity: string }[]).map((r) => r.identity));
        let after = '';
        for (;;) {
          // Processing began and the data is not destroyed yet (L2, L8): active, or ended awaiting destruction.
          const page = (await deps.dataSource.query(
            `SELECT id::text AS id, state->'controller' AS controller FROM contracts
             WHERE status = ANY($2) AND state->>'processingStartedAt' IS NOT NULL AND id::text > $1
             ORDER BY id::text LIMIT 500`,
            [after, IN_PROCESSING],
          )) as { id: string; controller: ProcessingController }[];
          for (const row of page) {
            const identity = identityOf(row.controller);
            if (followed.has(identity)) continue;
            await followProcessing({ contractId: row.id, controller: row.controller, started: true, backfill: true });
            followed.add(identity);
            contracts++;
          }
          if (page.length < 500) break;
          after = page.at(-1)!.id;
        }
      }
      return { contracts };
    },
  };
}

export type FollowerActivities = ReturnType<typeof followers>['activities'];
export type TellFollowers = ReturnType<typeof followers>['tell'];
