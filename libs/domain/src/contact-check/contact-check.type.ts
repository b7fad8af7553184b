import { z } from 'zod';
import { CANONICAL_UUID } from '../fields';
import { fileType, type ContractParties } from '../kit/file-type';
import { at, body, duration, instant, text } from '../kit/schema';
import {
  CONTACT_CHECK_CLOCK_EVENTS,
  CONTACT_CHECK_CLOCK_KINDS,
  contactCheckClocks,
  contactCheckStream,
  currentRound,
  spreadOver,
  toContactCheckView,
  type ContactCheckCommand,
  type ContactCheckState,
  type OpenedContactCheck,
} from './contact-check.decider';

/** The ask to the contact (with its link), and the nudges of account management and the DPO while it is unconfirmed. */
export type ContactCheckMail = {
  readonly kind: 'contact-check' | 'contact-check-reminder' | 'contact-check-escalation';
  readonly checkId: string;
  readonly round: number;
  readonly contact: string;
  readonly openedAt: string;
  readonly confirmationDue: string;
  readonly key: string;
} & Pick<ContractParties, 'controllerName'>;

const processingBody = () => body({ contracts: z.number().int().min(0), countedAt: instant(), contact: text('email'), period: duration(), backfill: z.boolean() });

/** DESIGN §3.10: each controller's breach contact, checked at its first hand-over and every period after. */
export const contactCheckType = fileType<ContactCheckState>({
  name: 'contact-check',
  noun: 'contact check',
  parent: 'controller',
  parentIdOf: (s) => (s as OpenedContactCheck).controllerId,
  idPattern: CANONICAL_UUID,
  stream: contactCheckStream,
  statuses: { scheduled: 'open', awaiting: 'open', confirmed: 'open', dormant: 'open' },
  clocks: { kinds: CONTACT_CHECK_CLOCK_KINDS, handles: CONTACT_CHECK_CLOCK_EVENTS, of: contactCheckClocks },
  readModel: {
    table: 'contact_checks',
    listedAt: (s) => (s as OpenedContactCheck).openedAt,
    columns: [{ name: 'identity', type: 'text', of: (s) => (s as OpenedContactCheck).identity, updatable: false }],
  },
  route: { path: 'contact-check', param: 'cid', plural: 'contact checks' },
  follows: { started: 'note', ended: 'note', contact: 'contact' },
  commands: {
    note: {
      summary: "How many of the controller's contracts are in processing, counted when one started or ended: the first time, the contact is asked at once (spread over a period for a controller already in processing); none, and the checks pause.",
      roles: [],
      creates: true,
      schema: processingBody,
      toCommand: (b, c): ContactCheckCommand => ({
        type: 'NoteProcessing',
        data: { checkId: c.id, controllerId: c.controller!.id, identity: c.controller!.identity, contact: b.contact, period: b.period, firstRoundAt: b.backfill ? spreadOver(c.controller!.identity, b.period, c.recordedAt) : c.recordedAt, openedAt: c.recordedAt, contracts: b.contracts, countedAt: b.countedAt },
      }),
    },
    contact: {
      summary: 'The breach contact changed: the new one is checked at once.',
      roles: [],
      path: 'contact',
      schema: () => body({ contact: text('email') }),
      toCommand: (b, c): ContactCheckCommand => ({ type: 'ChangeContact', data: { contact: b.contact, at: c.recordedAt } }),
    },
    resend: {
      summary: 'Ask the contact again now, with a new link (the earlier link no longer confirms).',
      roles: ['account_manager', 'dpo'],
      path: 'resend',
      schema: () => body({}),
      toCommand: (_b, c): ContactCheckCommand => ({ type: 'ResendContactCheck', data: { at: c.recordedAt } }),
    },
    confirm: {
      summary: 'The contact confirmed it is the point of contact for breaches, by following its link.',
      roles: [],
      path: 'confirmation',
      schema: () => body({ round: z.number().int().min(1) }),
      link: {
        title: 'Confirm your contact for data breaches',
        explanation: 'Your hosting provider keeps this address as the point of contact it writes to if a personal data breach affects your data (GDPR 33(2)). Confirm that it still reaches the right people.',
        button: 'Confirm this contact',
        done: 'Thank you: your contact for data breaches is confirmed.',
      },
      // From the portal: the round it answers is the one open now.
      portal: {
        act: 'Confirm this contact for data breaches',
        done: 'Thank you: your contact for data breaches is confirmed.',
        preset: (_at, s: ContactCheckState) => ({ round: s.status === 'none' ? 0 : (currentRound(s)?.n ?? 0) }),
        // By the contact itself: the check is that its mailbox still reaches the right people.
        offered: (s: ContactCheckState, _at: string, address: string) => s.status === 'awaiting' && currentRound(s)?.contact.toLowerCase() === address.toLowerCase(),
      },
      toCommand: (b, c): ContactCheckCommand => ({ type: 'ConfirmContact', data: { round: b.round, at: c.recordedAt } }),
    },
  },
  view: {
    of: toContactCheckView,
    schema: () => z.strictObject({
      id: z.string().meta({ format: 'uuid' }),
      controllerId: z.string().meta({ format: 'uuid' }),
      key: z.string(),
      status: z.enum(['scheduled', 'awaiting', 'confirmed', 'dormant']),
      contact: z.string(),
      period: z.string(),
      contracts: z.number().int().meta({ description: "The controller's contracts in processing when last counted (counted when its first starts and its last ends): more than zero, the checks run." }),
      nextRoundAt: at().nullable(),
      round: z
        .strictObject({ n: z.number().int(), openedAt: at(), contact: z.string(), confirmedAt: at().nullable(), confirmedBy: z.string().nullable(), confirmationDue: at(), remindedAt: at().nullable(), escalatedAt: at().nullable() })
        .nullable(),
      lastConfirmedAt: at().nullable(),
      overdue: z.array(z.enum(['confirmationDue'])),
    }),
  },
  emails: (state, parties) => {
    const s = state as OpenedContactCheck;
    const round = currentRound(s);
    if (!round || round.confirmed || s.status === 'dormant') return [];
    const view = toContactCheckView(s, round.openedAt);
    const mail = (kind: ContactCheckMail['kind']): ContactCheckMail => ({ kind, checkId: s.checkId, round: round.n, contact: round.contact, openedAt: round.openedAt, confirmationDue: view.round!.confirmationDue, key: s.identity, controllerName: parties.controllerName });
    return [mail('contact-check'), ...(round.reminded ? [mail('contact-check-reminder')] : []), ...(round.escalated ? [mail('contact-check-escalation')] : [])];
  },
});
