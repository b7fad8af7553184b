import { z } from 'zod';
import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { at, body, oneOf, text } from '../kit/schema';
import { CONTROLLER_LOCALES, controllerStream, toControllerView, type ControllerCommand, type ControllerState, type RecordedController } from './controller.decider';


/** What a controller's preferences are set with: each field optional (PUT: what is missing goes back to its default). */
export const controllerPreferencesBody = () => body({
  locale: oneOf(CONTROLLER_LOCALES, { description: 'The language of its emails, its portal and its certificate (default en).' }).optional(),
  timeZone: text('timeZone', { example: 'Europe/Paris', description: 'Dates written to it are in this zone, with UTC beside them (default UTC).' }).optional(),
  breachContact: text('email', { example: 'security@client.example', description: 'The point of contact for breaches that the contact checks ask (DESIGN §3.10); else the controller\'s email. Breach notices go to it, the controller\'s email and DPO in copy.' }).nullable().optional(),
  stripeCustomerId: text('stripeCustomerId', { example: 'cus_NffrFeUfNV2Hib' }).nullable().optional(),
});

/** The controller record (DESIGN §8): a controller's preferences, keyed by its customer id or else its normalised email. */
export const controllerType = fileType<ControllerState>({
  name: 'controller',
  noun: 'controller',
  parent: 'processor',
  idPattern: CANONICAL_UUID,
  stream: controllerStream,
  statuses: { recorded: 'open' },
  clocks: null,
  readModel: {
    table: 'controllers',
    listedAt: (s) => (s as RecordedController).recordedAt,
    columns: [{ name: 'identity', type: 'text', of: (s) => (s as RecordedController).identity, updatable: false }],
  },
  route: { path: 'controllers', param: 'key', plural: 'controllers' },
  commands: {
    set: {
      summary: "DESIGN §8: a controller's preferences (locale, time zone, breach contact, Stripe customer), replaced whole: a field left out goes back to its default. Not terms: no contract changes.",
      roles: ['account_manager', 'dpo'],
      creates: true,
      schema: controllerPreferencesBody,
      toCommand: (b, c): ControllerCommand => ({ type: 'SetControllerPreferences', data: { ...b, controllerId: c.controller!.id, identity: c.controller!.identity, replace: true, recordedAt: c.recordedAt } }),
    },
  },
  view: {
    of: (s) => toControllerView(s),
    schema: () => z.strictObject({
      id: z.string().meta({ format: 'uuid' }),
      key: z.string().meta({ description: '`customer:<customerId>` or `email:<normalised email>`: what PUT /controllers/{key} names it by.' }),
      customerId: z.string().nullable(),
      email: z.string().nullable(),
      locale: z.enum(CONTROLLER_LOCALES),
      timeZone: z.string(),
      breachContact: z.string().nullable(),
      stripeCustomerId: z.string().nullable(),
      recordedAt: at(),
      updatedAt: at(),
    }),
  },
});
