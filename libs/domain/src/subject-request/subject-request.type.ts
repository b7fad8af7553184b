import { z } from 'zod';
import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { at, body, FIELD, instant, oneOf, text } from '../kit/schema';
import {
  assistanceDue,
  effectiveDeadline,
  SUBJECT_REQUEST_CLOCK_EVENTS,
  SUBJECT_REQUEST_CLOCK_KINDS,
  subjectRequestClocks,
  subjectRequestStream,
  toSubjectRequestView,
} from './subject-request.decider';
import {
  MAX_EXTENSION_MONTHS,
  RECEIVERS,
  SUBJECT_REQUEST_OUTCOMES,
  SUBJECT_REQUEST_TYPES,
  type OpenedSubjectRequest,
  type SubjectRequestCommand,
  type SubjectRequestState,
} from './subject-request.model';

/**
 * The emails a request owes (DESIGN §3.2): one the processor received goes to the controller at
 * once; the assistance target reminds account management before it and escalates to the DPO at it.
 */
export type SubjectRequestMail = {
  readonly requestId: string;
  readonly contractId: string;
  readonly requestType: string;
  readonly requestReference: string;
  readonly receivedAt: string;
  readonly deadline: string;
  readonly assistanceDue: string;
  readonly controllerName?: string;
} & (
  | { readonly kind: 'subject-request-forwarded'; readonly controllerEmail: string; readonly controllerDpoEmail: string | null; readonly contractReference: string | null }
  | { readonly kind: 'assistance-reminder' | 'assistance-escalation' }
);

/** A data-subject request the processor helps its controller answer (P7; DESIGN §3.2). */
export const subjectRequestType = fileType<SubjectRequestState>({
  name: 'subject-request',
  noun: 'data-subject request',
  parent: 'contract',
  parentIdOf: (s) => (s as OpenedSubjectRequest).contractId,
  idPattern: CANONICAL_UUID,
  stream: subjectRequestStream,
  statuses: { open: 'open', completed: 'final' },
  // Art. 12(3): answering the data subject within a month is the controller's duty; the processor's is its help.
  clocks: { kinds: SUBJECT_REQUEST_CLOCK_KINDS, handles: SUBJECT_REQUEST_CLOCK_EVENTS, of: subjectRequestClocks, controllers: ['subject-request-deadline'] },
  readModel: { table: 'subject_requests', listedAt: (s) => (s as OpenedSubjectRequest).receivedAt },
  route: { path: 'subject-requests', param: 'rid', plural: 'data-subject requests' },
  commands: {
    open: {
      summary: 'P7: record a data-subject request (references only, never the person). One received by the processor is passed to the controller at once.',
      roles: ['account_manager', 'dpo'],
      creates: true,
      schema: () => body({
        type: oneOf(SUBJECT_REQUEST_TYPES, { description: 'GDPR 15–22: what the person asked for.' }),
        receivedAt: instant({ description: 'When the request reached whoever received it: the clocks run from here.', example: '2027-03-01T09:00:00Z' }),
        receivedBy: oneOf(RECEIVERS, { description: 'The controller (asking for help) or the processor (which passes it on at once).' }),
        reference: text('subjectRequestReference', { example: 'DSR-2027-0042' }),
      }),
      portal: {
        act: 'Ask for our help with a data-subject request',
        done: 'Your request for help is recorded, by its type and your reference only. We help you in time for your deadline.',
        preset: () => ({ receivedBy: 'controller' }),
      },
      toCommand: (b, c): SubjectRequestCommand => ({
        type: 'OpenSubjectRequest',
        data: {
          requestId: c.id,
          contractId: c.contractId!,
          requestType: b.type,
          receivedAt: b.receivedAt,
          receivedBy: b.receivedBy,
          reference: b.reference,
          assistanceMargin: c.settings!.assistanceMargin,
          contractOrderedAt: c.contract!.orderedAt,
          openedAt: c.recordedAt,
        },
      }),
    },
    extend: {
      summary: '12(3): extend the deadline once by one or two months, before the first deadline.',
      roles: ['account_manager', 'dpo'],
      path: 'extension',
      schema: () => body({
        months: z
          .number({ error: `${FIELD} must be 1 or ${MAX_EXTENSION_MONTHS}` })
          .int({ error: `${FIELD} must be 1 or ${MAX_EXTENSION_MONTHS}` })
          .min(1, { error: `${FIELD} must be 1 or ${MAX_EXTENSION_MONTHS}` })
          .max(MAX_EXTENSION_MONTHS, { error: `${FIELD} must be 1 or ${MAX_EXTENSION_MONTHS}` })
          .meta({ description: '12(3): one extension of one or two months, decided before the first deadline.' }),
        reason: text('reason', { example: 'several systems to search' }),
      }),
      toCommand: (b, c): SubjectRequestCommand => ({ type: 'ExtendSubjectRequest', data: { months: b.months, reason: b.reason, extendedAt: c.recordedAt } }),
    },
    complete: {
      summary: 'Complete the request: fulfilled, partially-fulfilled or refused (a reason for anything but fulfilled, 12(4)).',
      roles: ['account_manager', 'dpo'],
      path: 'completion',
      schema: () => body({
        outcome: oneOf(SUBJECT_REQUEST_OUTCOMES),
        reason: text('reason', { description: '12(4): required unless the outcome is fulfilled.' }).nullish(),
      }),
      toCommand: (b, c): SubjectRequestCommand => ({ type: 'CompleteSubjectRequest', data: { outcome: b.outcome, reason: b.reason ?? null, completedAt: c.recordedAt } }),
    },
  },
  view: {
    of: toSubjectRequestView,
    schema: () => z.strictObject({
      id: z.string().meta({ format: 'uuid' }),
      contractId: z.string().meta({ format: 'uuid' }),
      status: z.enum(['open', 'completed']),
      type: z.enum(SUBJECT_REQUEST_TYPES),
      receivedAt: at(),
      receivedBy: z.enum(RECEIVERS),
      reference: z.string(),
      deadline: at("The controller's deadline: receipt + P1M (12(3))."),
      extendedTo: at('The extended deadline, receipt + P(1+n)M.').nullable(),
      extensionReason: z.string().nullable(),
      assistanceDue: at("The processor's own target: the deadline less DSR_ASSISTANCE_MARGIN, never before receipt."),
      forwardedAt: at('When a request the processor received was passed to the controller.').nullable(),
      remindedAt: at().nullable(),
      escalatedAt: at().nullable(),
      outcome: z.enum(SUBJECT_REQUEST_OUTCOMES).nullable(),
      outcomeReason: z.string().nullable(),
      completedAt: at().nullable(),
      late: z.boolean().meta({ description: "Completed after the controller's deadline." }),
      overdue: z.array(z.enum(['assistanceDue', 'deadline'])).meta({ description: 'The clocks past due and not met.' }),
    }),
  },
  emails: (state, parties) => {
    const s = state as OpenedSubjectRequest;
    const facts = {
      ...(parties.controllerName ? { controllerName: parties.controllerName } : {}),
      requestId: s.requestId,
      contractId: s.contractId,
      requestType: s.requestType,
      requestReference: s.reference,
      receivedAt: s.receivedAt,
      deadline: effectiveDeadline(s),
      assistanceDue: assistanceDue(s),
    };
    const mails: SubjectRequestMail[] = [];
    // Passed on once the file says it was (SubjectRequestForwarded, at once after opening).
    if (s.forwardedAt !== null) mails.push({ ...facts, kind: 'subject-request-forwarded', controllerEmail: parties.controllerEmail, controllerDpoEmail: parties.controllerDpoEmail, contractReference: parties.contractReference });
    // Each nudge for the target it was due for (an extension moves the target, and nudges again).
    if (s.reminded) mails.push({ ...facts, kind: 'assistance-reminder', assistanceDue: s.reminded.dueAt });
    if (s.escalated) mails.push({ ...facts, kind: 'assistance-escalation', assistanceDue: s.escalated.dueAt });
    return mails;
  },
});
