import { ActivityFailure, ApplicationFailure, continueAsNew, isCancellation, log, setHandler, sleep } from '@temporalio/workflow';
import { fileTypeNamed, type EmailSent, type FileType } from '#domain';
import { fileCommandSignal, fileCommandUpdate, fileSnapshotQuery, type FileCommandInput, type FileWorkflowInput, type Snapshot } from '#infra/temporal/messages';
import { openLedger, runEntity, UNEXPECTED_FAILURE_BACKOFF, type FileLedger } from '../kit/entity';
import { isDomainFailure, now } from '../kit/ledger';
import type { Notice } from '../mail/notice';

type AnyLedger = FileLedger<{ type: string }, { type: string } | EmailSent, { status: string }>;

function declared(name: string): FileType & Required<Pick<FileType, 'commands'>> {
  const type = fileTypeNamed(name);
  if (!type?.commands) throw ApplicationFailure.nonRetryable(`no file type ${name} is run by the file workflow`, 'file.unknown_type');
  return type as FileType & Required<Pick<FileType, 'commands'>>;
}

/**
 * Every file whose type declares its commands (DESIGN §5), from its first command to its end: the
 * only writer of its stream. The declaration says what each command means, which clocks run and
 * which emails the file owes; this loop owns the stream, runs the clocks, and sends the emails
 * once each (their receipts in the file's trail).
 */
export async function fileWorkflow(input: FileWorkflowInput): Promise<Snapshot<unknown>> {
  const type = declared(input.type);
  const ledger = openLedger(type.stream, input.id, input.carried as Snapshot<{ status: string }> | undefined) as AnyLedger;
  setHandler(fileSnapshotQuery, () => ledger.snapshot());

  const commandOf = ({ command, body, context }: FileCommandInput, recordedAt: string) => {
    const spec = type.commands[command];
    if (!spec) throw ApplicationFailure.nonRetryable(`the ${type.name} file type has no command ${command}`, 'file.unknown_command');
    return spec.toCommand(body, { ...context, recordedAt }) as { type: string };
  };
  const owedIn = (state: { status: string }): Notice[] => (state.status === 'none' ? [] : ((type.emails?.(state, input.parties) ?? []) as Notice[]));
  /** The emails the file owes as it stands, each put in the outbox once (nothing to await when all are). */
  const owed = () => ledger.mail.sendOwed(owedIn(ledger.state));
  /** The emails a commit makes owed go in the outbox with its events, in one local activity. */
  const withEvents = ledger.mail.owedBy(owedIn);

  /**
   * After a command: what it made owed and is not in the outbox yet, at once (a command that closes
   * the file: the loop would not look again; an email the outbox refused for good). The command is
   * stored whatever becomes of this: a failure here is left to the loop, which owes it again.
   */
  let owedAgainAt: number | null = null;
  let owedFailures = 0;
  const owedAfterCommand = async () => {
    try {
      await owed();
    } catch (e) {
      if (isCancellation(e)) throw e;
      // The loop may be waiting for the stream to move: it is woken to try again.
      owedAgainAt = Date.now() + UNEXPECTED_FAILURE_BACKOFF;
      owedFailures++;
      log.warn('an email the file owes could not be put in the outbox yet; the file tries again', { type: type.name, error: e instanceof ActivityFailure && e.cause instanceof ApplicationFailure ? e.cause.type : (e as Error)?.name });
    }
  };

  setHandler(
    fileCommandUpdate,
    (request) => {
      const at = now();
      return ledger.serially(async () => {
        const events = await ledger.commit(commandOf(request, at), request.actor, undefined, withEvents);
        await owedAfterCommand();
        return { ...ledger.snapshot(), created: events.length > 0 && type.commands[request.command]?.creates === true };
      });
    },
    { validator: (request) => ledger.admit(commandOf(request, now())) },
  );

  // A signalled command is kept until it is recorded or refused for good: the store away is waited out.
  setHandler(fileCommandSignal, async (request) => {
    for (;;) {
      try {
        await ledger.serially(async () => {
          await ledger.commit(commandOf(request, now()), request.actor, undefined, withEvents);
          await owedAfterCommand();
        });
        return;
      } catch (e) {
        // Only the store being away is waited out; a refusal, a bad command or a bug will not change.
        const storeAway = e instanceof ActivityFailure && !(e.cause instanceof ApplicationFailure && e.cause.nonRetryable);
        if (!storeAway || isDomainFailure(e)) {
          log.warn('a command signalled to the file was refused', { type: type.name, command: request.command, code: e instanceof ApplicationFailure ? e.type : (e as Error)?.name });
          return;
        }
        await sleep(UNEXPECTED_FAILURE_BACKOFF);
      }
    }
  });

  await runEntity(type.stream, ledger, {
    step: () => {
      owedAgainAt = null;
      return owed();
    },
    wakeTimes: () => (owedAgainAt === null ? [] : [owedAgainAt]),
    wakes: () => owedFailures,
    mail: withEvents,
    final: owed,
    continueAsNew: (carried) => continueAsNew<typeof fileWorkflow>({ ...input, carried }),
  });
  return ledger.snapshot();
}
