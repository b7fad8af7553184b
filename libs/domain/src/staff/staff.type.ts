import { z } from 'zod';
import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { at, body, duration, email, id, instant, text } from '../kit/schema';
import { currentContracts, STAFF_CLOCK_EVENTS, STAFF_CLOCK_KINDS, staffClocks, staffStream, toStaffView, type StaffCommand, type StaffState } from './staff.decider';

type Registered = Exclude<StaffState, { status: 'none' }>;

/**
 * What a person's file owes (P3, P4; DESIGN §3.4): account management reminded before the training
 * lapses, with the contracts the person is on; at the lapse, the DPO told, when it opens a gap on
 * contracts the person is still on.
 */
export type StaffMail = {
  readonly kind: 'training-lapse-reminder' | 'training-lapsed';
  readonly staffId: string;
  readonly name: string;
  readonly trainingValidUntil: string;
  readonly contracts: readonly string[];
};

/**
 * A person on the roster of authorised persons, with undertaking, trainings and authorisations (P3,
 * P4; DESIGN §3.4). Run by the file workflow; its routes are the roster's own (`/staff`, and a
 * contract's `/authorised-persons`, which address the person's file by the staffId of the body).
 */
export const staffType = fileType<StaffState>({
  name: 'staff',
  noun: 'authorised person',
  parent: 'processor',
  idPattern: CANONICAL_UUID,
  stream: staffStream,
  // A register entry has no end: a person leaves by losing their authorisations.
  statuses: { registered: 'open' },
  clocks: { kinds: STAFF_CLOCK_KINDS, handles: STAFF_CLOCK_EVENTS, of: staffClocks },
  readModel: { table: 'staff', listedAt: (s) => (s as Registered).registeredAt },
  route: { path: 'staff', param: 'sid', plural: 'the roster of authorised persons' },
  commands: {
    register: {
      summary: 'P3, P4: a person on the roster. Not cleared until a confidentiality undertaking and a valid training are recorded.',
      roles: ['admin', 'dpo'],
      creates: true,
      schema: () =>
        body({
          name: text('controllerName', { example: 'Alex Martin', description: "The person's name (the processor's own staff, never a data subject of a client)." }),
          email: email({ example: 'alex.martin@processor.example' }),
        }),
      toCommand: (b, c): StaffCommand => ({ type: 'RegisterStaff', data: { staffId: c.id, name: b.name, email: b.email, recordedAt: c.recordedAt } }),
    },
    signConfidentiality: {
      summary: 'The signed confidentiality undertaking (GDPR 28(3)(b)).',
      roles: ['admin', 'dpo'],
      path: 'confidentiality',
      schema: () => body({ signedAt: instant({ example: '2027-01-10T08:00:00Z', description: 'When the confidentiality undertaking was signed (GDPR 28(3)(b)).' }) }),
      toCommand: (b, c): StaffCommand => ({ type: 'SignConfidentiality', data: { signedAt: b.signedAt, recordedAt: c.recordedAt } }),
    },
    recordTraining: {
      summary: 'A data-protection training, valid for validFor (P1Y): account management is reminded P30D before it lapses; at the lapse every contract the person is on shows the gap.',
      roles: ['admin', 'dpo'],
      path: 'training',
      schema: () =>
        body({
          completedAt: instant({ example: '2027-01-05T00:00:00Z', description: 'When the data-protection training was completed.' }),
          course: text('controllerName', { example: 'GDPR for operators' }),
          validFor: duration({ example: 'P1Y', description: 'How long it is valid (default P1Y, at most P5Y).' }).nullable().optional(),
        }),
      toCommand: (b, c): StaffCommand => ({ type: 'RecordTraining', data: { completedAt: b.completedAt, course: b.course, validFor: b.validFor ?? null, recordedAt: c.recordedAt } }),
    },
    // Addressed from the contract (`POST /contracts/{id}/authorised-persons`, the person named in the
    // body; `DELETE …/{sid}`): the contract is the command's context, the file the person's.
    authorise: {
      summary: 'P3, P4: authorises a person on the contract; 422 roster.not_cleared without a signed confidentiality undertaking and a valid training.',
      roles: ['account_manager', 'dpo'],
      schema: () => body({ staffId: id({ description: 'The person on the roster (POST /staff).' }) }),
      toCommand: (_b, c): StaffCommand => ({ type: 'AuthorisePerson', data: { contractId: c.contractId!, recordedAt: c.recordedAt } }),
    },
    revoke: {
      summary: "Ends the person's authorisation on the contract (kept on record with its end).",
      roles: ['account_manager', 'dpo'],
      irreversible: true,
      schema: () => body({}),
      toCommand: (_b, c): StaffCommand => ({ type: 'RevokeAuthorisation', data: { contractId: c.contractId!, recordedAt: c.recordedAt } }),
    },
  },
  view: {
    of: toStaffView,
    schema: () =>
      z.strictObject({
        id: z.string().meta({ format: 'uuid' }),
        name: z.string(),
        email: z.string(),
        registeredAt: at(),
        confidentialitySignedAt: at().nullable(),
        trainings: z.array(z.strictObject({ completedAt: at(), course: z.string(), validFor: z.string().meta({ format: 'duration' }), validUntil: at() })),
        trainingValidUntil: at('The latest validity of any training.').nullable(),
        cleared: z.boolean().meta({ description: 'Both a confidentiality undertaking and a valid training now: may be authorised on a contract.' }),
        gaps: z.array(z.enum(['no_confidentiality', 'no_training', 'training_lapsed'])),
        contracts: z.array(z.string().meta({ format: 'uuid' })).meta({ description: 'The contracts the person is authorised on now.' }),
        overdue: z.array(z.enum(['trainingValidUntil'])).meta({ description: 'The training lapsed while the person is on a contract.' }),
      }),
  },
  emails: (state) => {
    const s = state as Registered;
    const mail = (kind: StaffMail['kind'], dueAt: string, contracts: readonly string[]): StaffMail => ({ kind, staffId: s.staffId, name: s.name, trainingValidUntil: dueAt, contracts });
    // The reminder names the contracts the person is on when it goes out (once per lapse instant).
    const reminder = s.reminded ? [mail('training-lapse-reminder', s.reminded.dueAt, currentContracts(s))] : [];
    // The lapse opens a gap only on the contracts the person was on then: the DPO is told of those.
    const contracts = s.lapsed?.contracts ?? [];
    const lapse = s.lapsed && contracts.length > 0 ? [mail('training-lapsed', s.lapsed.dueAt, contracts)] : [];
    return [...reminder, ...lapse];
  },
});
