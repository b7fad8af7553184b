import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { type CommandContext, type ContractParties } from '#domain';
import { type Actor, type Snapshot } from './common';

/**
 * The generic file workflow's messages: its input, and the one command it takes by name, as an
 * update or (from another workflow's activity) a signal.
 */

/**
 * DESIGN §5: a file type with no orchestration of its own is run by one generic workflow
 * (`fileWorkflow`) from its declaration: creation by update-with-start, its commands, its timers,
 * the emails it owes, continue-as-new. One update carries any declared command by name.
 */
export interface FileWorkflowInput {
  /** The file type's name in the registry (FILE_TYPES). */
  readonly type: string;
  readonly id: string;
  readonly parties: ContractParties;
  /** Later runs (continue-as-new): the stream as the previous run left it. */
  readonly carried?: Snapshot<unknown>;
}

export interface FileCommandInput {
  /** The command's name in the declaration. */
  readonly command: string;
  /** The body as the edge parsed it against the command's schema. */
  readonly body: unknown;
  readonly context: Omit<CommandContext, 'recordedAt'>;
  readonly actor: Actor;
}

export const FILE_WORKFLOW = 'fileWorkflow';
export const fileCommandUpdate = defineUpdate<Snapshot<unknown> & { created: boolean }, [FileCommandInput]>('fileCommand');
export const fileSnapshotQuery = defineQuery<Snapshot<unknown>>('fileSnapshot');
/**
 * The same command as a signal: what the engine tells a file from another workflow's activity, which
 * must not wait on the file's worker (a worker draining for shutdown would wait on itself). A refusal
 * is logged by the file, never answered.
 */
export const fileCommandSignal = defineSignal<[FileCommandInput]>('fileCommand');
