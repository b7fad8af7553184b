import { describe, expect, it } from 'vitest';
import { specify } from '../kit/given';
import { controllerStream, toControllerView, type ControllerCommand, type ControllerEvent, type RecordedController } from './controller.decider';
import { controllerType } from './controller.type';

const given = specify(controllerStream);
const ID = 'c0e70000-0000-4000-8000-000000000001';
const set = (over: Record<string, unknown>, replace = true, recordedAt = '2027-01-31T10:00:00.000Z'): ControllerCommand => ({ type: 'SetControllerPreferences', data: { controllerId: ID, identity: 'customer:ACME', replace, recordedAt, ...over } });
const recorded = (over: Record<string, unknown> = {}, recordedAt = '2027-01-31T10:00:00.000Z'): ControllerEvent => ({
  type: 'ControllerPreferencesSet',
  data: { controllerId: ID, identity: 'customer:ACME', locale: 'en', timeZone: 'UTC', breachContact: null, stripeCustomerId: null, recordedAt, ...over },
});

describe('the controller record (DESIGN §8)', () => {
  it('holds preferences, not terms: PUT sets every field (the missing ones to their defaults); the same again records nothing', () => {
    given().when(set({ locale: 'fr', timeZone: 'Europe/Paris', breachContact: 'cert@acme.example' })).then(recorded({ locale: 'fr', timeZone: 'Europe/Paris', breachContact: 'cert@acme.example' }));
    given(recorded({ locale: 'fr' })).when(set({ locale: 'fr' })).thenNothing();
    given(recorded({ locale: 'fr', timeZone: 'Europe/Paris' })).when(set({}, true, '2027-02-01T00:00:00.000Z')).then(recorded({}, '2027-02-01T00:00:00.000Z'));
    // Given with an order, what is missing is kept.
    given(recorded({ locale: 'fr', timeZone: 'Europe/Paris' })).when(set({ stripeCustomerId: 'cus_42' }, false, '2027-02-01T00:00:00.000Z')).then(recorded({ locale: 'fr', timeZone: 'Europe/Paris', stripeCustomerId: 'cus_42' }, '2027-02-01T00:00:00.000Z'));
  });

  it('refuses what is not a preference it knows: a locale, a time zone, an address, a Stripe customer', () => {
    given().when(set({ locale: 'de' })).thenThrows('controller.invalid_locale', 'validation');
    given().when(set({ timeZone: 'Mars/Olympus' })).thenThrows('controller.invalid_time_zone', 'validation');
    given().when(set({ timeZone: null })).thenThrows('controller.invalid_time_zone', 'validation');
    given().when(set({ breachContact: 'nobody' })).thenThrows('input.invalid_email', 'validation');
    given().when(set({ stripeCustomerId: 'acct_1' })).thenThrows('input.invalid_format', 'validation');
  });

  it('shows its key, and the customer id or the email it is named by', () => {
    const s = given(recorded({ locale: 'fr' }), recorded({ locale: 'en' }, '2027-03-01T00:00:00.000Z')).state as RecordedController;
    expect(toControllerView(s)).toEqual({ id: ID, key: 'customer:ACME', customerId: 'ACME', email: null, locale: 'en', timeZone: 'UTC', breachContact: null, stripeCustomerId: null, recordedAt: '2027-01-31T10:00:00.000Z', updatedAt: '2027-03-01T00:00:00.000Z' });
    const byEmail = given({ type: 'ControllerPreferencesSet', data: { ...recorded().data, identity: 'email:dpo@acme.example' } }).state;
    expect(toControllerView(byEmail)).toMatchObject({ key: 'email:dpo@acme.example', customerId: null, email: 'dpo@acme.example' });
    expect(() => toControllerView({ status: 'none' })).toThrow();
    expect(controllerType.view!.schema().safeParse(toControllerView(s)).success).toBe(true);
    expect(controllerType.commands!['set']!.toCommand({ locale: 'fr' }, { id: ID, contractId: null, contract: null, controller: { id: ID, identity: 'customer:ACME' }, recordedAt: '2027-01-31T10:00:00.000Z' })).toEqual(set({ locale: 'fr' }));
  });
});
