import { describe, expect, it } from 'vitest';
import { given } from '../testing/given';
import {
  CONTROLLER,
  acceptRenewal,
  activeSince,
  cancelContract,
  completeDestruction,
  contractOrdered,
  escalateDestruction,
  expireContract,
  handOverCredentials,
  markDeadlineMissed,
  noticeNonRenewal,
  orderContract,
  ordered,
  recordLocationDestroyed,
  recordLocationDestructionFailed,
  rejectRenewal,
  requestDataExport,
  revokeCredentials,
  scheduleDestruction,
  serveDataExport,
  startDestruction,
  terminateContract,
  withdrawRenewal,
} from '../testing/factories';
import type { ContractCommand } from './contract.commands';
import { decide } from './contract.decide';
import { fold } from './contract.evolve';
import { orderKey } from './order.decide';

const T = '2027-02-01T00:00:00.000Z';

describe('L1: ordering a contract', () => {
  it('L1: ordering records the contract; processing does not begin', () =>
    given()
      .when(orderContract())
      .then(ordered)
      .andState((s) => {
        expect(s.status).toBe('ordered');
        expect(s).toMatchObject({ processingStartedAt: null, termStart: null, termEnd: null, endedAt: null });
      }));

  it('L1: instants are stored in canonical UTC and written-out zero durations as null', () =>
    given()
      .when(orderContract({ orderedAt: '2027-01-15T10:00:00+01:00', returnWindow: 'PT0S', renewalGracePeriod: 'P0D', billingPeriod: 'P0Y1M' }))
      .then(ordered));

  it('L1: the optional controller fields and the reference may be absent', () =>
    given()
      .when(orderContract({ reference: null, controller: { customerId: null, name: 'Acme SAS', email: 'contact@acme.example', address: null, dpoEmail: null } }))
      .then(contractOrdered({ reference: null, controller: { customerId: null, name: 'Acme SAS', email: 'contact@acme.example', address: null, dpoEmail: null } })));

  it('DESIGN §4: a contract narrows the catalog, in catalog order', () =>
    given()
      .when(orderContract({ catalog: { storageLocations: ['ovh-gra-1', 'web-platform'], dataCategories: ['email-address'] } }))
      .then(
        contractOrdered({
          catalog: {
            purposes: ['website-hosting'],
            dataCategories: ['email-address'],
            dataSubjectCategories: ['developers', 'system-administrators'],
            storageLocations: ['web-platform', 'ovh-gra-1'],
          },
        }),
      ));

  it('DESIGN §4: a contract can never widen the catalog', () =>
    given().when(orderContract({ catalog: { storageLocations: ['aws-us-east-1'] } })).thenThrows('catalog.widening', 'rule'));

  it('L9: a return window shorter than the shortest two calendar months (59 days) is accepted', () =>
    given()
      .when(orderContract({ returnWindow: 'P58D', renewalGracePeriod: 'P5D' }))
      .then(contractOrdered({ returnWindow: 'P58D', renewalGracePeriod: 'P5D' })));

  it.each(['P59D', 'P2M', 'P1M29D', 'P1Y'])('L9: a return window of %s could reach the P2M deadline and is refused', (returnWindow) =>
    given().when(orderContract({ returnWindow })).thenThrows('contract.return_window_too_long', 'rule'));

  it.each<[string, Parameters<typeof orderContract>[0], string]>([
    ['an empty contract id', { contractId: '' }, 'input.required'],
    ['a missing controller', { controller: null as never }, 'input.required'],
    ['a controller without a name', { controller: { ...CONTROLLER, name: ' ' } }, 'input.required'],
    ['a malformed controller email', { controller: { ...CONTROLLER, email: 'acme' } }, 'input.invalid_email'],
    ['a malformed DPO email', { controller: { ...CONTROLLER, dpoEmail: 'dpo at acme' } }, 'input.invalid_email'],
    ['an overlong reference', { reference: 'R'.repeat(101) }, 'input.too_long'],
    ['a zero billing period', { billingPeriod: 'P0D' }, 'calendar.invalid_duration'],
    ['a fractional billing period', { billingPeriod: 'P1.5M' }, 'calendar.invalid_duration'],
    ['a malformed grace period', { renewalGracePeriod: '5 days' }, 'calendar.invalid_duration'],
    ['a local order time', { orderedAt: '2027-01-15T10:00:00' }, 'calendar.invalid_instant'],
    ['a NUL in the controller name', { controller: { ...CONTROLLER, name: 'Acme\u0000SAS' } }, 'input.invalid_text'],
    ['a lone surrogate in the address', { controller: { ...CONTROLLER, address: 'rue \uD800' } }, 'input.invalid_text'],
  ])('L1: refuses an order with %s', (_, data, code) => given().when(orderContract(data)).thenThrows(code, 'validation'));

  it.each([
    ['billingPeriod', { billingPeriod: 'P11Y' }],
    ['renewalGracePeriod', { renewalGracePeriod: 'P13M' }],
  ])('L2/L5: a %s so long that the contract\'s dates could not be computed is refused', (_, data) =>
    given().when(orderContract(data)).thenThrows('contract.duration_too_long', 'rule'));

  it('L1: the same order again is the contract already there: nothing new is recorded', () =>
    given(ordered).when(orderContract({ reference: '  acme-2027-001 ', orderedAt: '2027-02-01T00:00:00Z' })).thenNothing());

  it.each([
    ['billing period', { billingPeriod: 'P1Y' }, 'billingPeriod'],
    ['return window', { returnWindow: 'P14D' }, 'returnWindow'],
    ['grace period', { renewalGracePeriod: 'P3D' }, 'renewalGracePeriod'],
    ['catalog selection', { catalog: { storageLocations: ['web-platform'] } }, 'catalog'],
    ['controller', { controller: { ...CONTROLLER, name: 'Acme Holding' } }, 'controller'],
  ] as const)('a reference repeated with another %s is refused as a conflict', (_, data, field) => {
    let details: unknown;
    try {
      decide(orderContract(data), fold([ordered]));
    } catch (e) {
      details = (e as { details?: unknown }).details;
    }
    expect(details).toEqual({ differs: [field] });
    given(ordered).when(orderContract(data)).thenThrows('contract.reference_conflict', 'conflict');
  });

  it('a reference is the same after trimming and case-folding, and belongs to one controller', () => {
    const byEmail = { customerId: null, email: 'Contact@Acme.example ' };
    expect(orderKey(byEmail, ' ACME-1 ')).toBe(orderKey({ customerId: null, email: 'contact@acme.example' }, 'acme-1'));
    expect(orderKey(byEmail, 'ACME-1')).not.toBe(orderKey({ customerId: null, email: 'contact@other.example' }, 'ACME-1'));
    // A customer id is the controller's identity: the same email under two customer ids is two controllers,
    // and an order without one identifies the controller by its email, which is not the customer id.
    expect(orderKey({ customerId: 'C-1', email: 'a@acme.example' }, 'R')).toBe(orderKey({ customerId: 'C-1', email: 'b@acme.example' }, 'r'));
    expect(orderKey({ customerId: 'C-1', email: 'a@acme.example' }, 'R')).not.toBe(orderKey({ customerId: null, email: 'a@acme.example' }, 'R'));
  });

  const T2 = '2027-03-01T00:00:00.000Z';
  it.each<ContractCommand>([
    handOverCredentials(T),
    acceptRenewal('inv-1', T, T2),
    rejectRenewal('inv-1', T),
    withdrawRenewal('inv-1', T),
    noticeNonRenewal(T),
    expireContract(T),
    terminateContract(T),
    cancelContract(T),
    revokeCredentials(T),
    scheduleDestruction(T),
    requestDataExport('x-1', T),
    serveDataExport('x-1', T),
    startDestruction(T),
    recordLocationDestroyed('web-platform', T),
    recordLocationDestructionFailed('web-platform', T),
    completeDestruction(T),
    escalateDestruction(T),
    markDeadlineMissed(T),
  ])('L1: before the order there is no contract to $type', (command) =>
    given().when(command).thenThrows('contract.not_ordered', 'not_found'));

  it('L1: before the order even a malformed command is answered with "no contract"', () =>
    given().when(acceptRenewal('', 'soon', 'later')).thenThrows('contract.not_ordered', 'not_found'));

  it('L1: an active contract ordered again with the same terms is answered with itself', () =>
    given(activeSince(T)).when(orderContract()).thenNothing());
});
