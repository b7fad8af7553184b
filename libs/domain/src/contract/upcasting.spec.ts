import { describe, expect, it } from 'vitest';
import { fullCatalogSelection } from '../catalog';
import { CONTRACT_EVENT_TYPES, EVENT_SCHEMA_VERSIONS, occurredAt, type ContractEvent } from './contract.events';
import { fold } from './contract.evolve';
import { UPCASTERS, upcast } from './contract.upcasting';
import {
  contractCancelled,
  contractExpired,
  contractOrdered,
  contractTerminated,
  credentialsRevoked,
  dataExportRequested,
  dataExportServed,
  destructionDeadlineMissed,
  destructionEscalated,
  destructionScheduled,
  destructionStarted,
  handedOver,
  locationDestroyed,
  locationDestructionFailed,
  nonRenewalNoticed,
  ordered,
  renewalAccepted,
  renewalRejected,
  renewalWithdrawn,
  codeOf,
} from '../testing/factories';


describe('event schema versions and upcasting', () => {
  it('knows every event type; ContractOrdered is at version 3, the timer events at 2', () => {
    expect(CONTRACT_EVENT_TYPES).toHaveLength(21);
    expect(EVENT_SCHEMA_VERSIONS.ContractOrdered).toBe(3);
    for (const t of ['ContractExpired', 'DestructionStarted', 'DestructionEscalated', 'DestructionDeadlineMissed'] as const) expect(EVENT_SCHEMA_VERSIONS[t], t).toBe(2);
  });

  it('a v2 ContractOrdered (before customer ids) loads with a controller identified by its email', () => {
    const { customerId: _customerId, ...controller } = ordered.data.controller;
    expect(upcast({ type: 'ContractOrdered', schemaVersion: 2, data: { ...ordered.data, controller } })).toEqual(ordered);
  });

  it('v1 timer events, which named one instant, load with that instant as both due and acted', () => {
    const t = '2027-03-01T00:00:00.000Z';
    expect(upcast({ type: 'ContractExpired', schemaVersion: 1, data: { expiredAt: t, termEnd: t, detectedAt: '2027-03-02T00:00:00.000Z' } })).toEqual(
      contractExpired(t, { actedAt: '2027-03-02T00:00:00.000Z' }),
    );
    expect(upcast({ type: 'DestructionStarted', schemaVersion: 1, data: { startedAt: t } }).data).toEqual({ dueAt: t, actedAt: t });
    expect(upcast({ type: 'DestructionEscalated', schemaVersion: 1, data: { escalatedAt: t, deadline: t, pendingLocations: [] } }).data).toEqual({ dueAt: t, actedAt: t, deadline: t, pendingLocations: [] });
    expect(upcast({ type: 'DestructionDeadlineMissed', schemaVersion: 1, data: { missedAt: t, deadline: t, pendingLocations: [] } }).data).toEqual({ dueAt: t, actedAt: t, deadline: t, pendingLocations: [] });
  });

  it('every schema version above 1 has its upcasters', () => {
    for (const type of CONTRACT_EVENT_TYPES) expect((UPCASTERS[type]?.length ?? 0) + 1, type).toBe(EVENT_SCHEMA_VERSIONS[type]);
  });

  it('a v1 ContractOrdered (before catalog, return window and grace period) loads as v2 with the full catalog and zero durations', () => {
    const { catalog: _catalog, returnWindow: _returnWindow, renewalGracePeriod: _grace, ...v1 } = ordered.data;
    const event = upcast({ type: 'ContractOrdered', schemaVersion: 1, data: v1 });
    expect(event).toEqual(contractOrdered({ catalog: fullCatalogSelection(), returnWindow: null, renewalGracePeriod: null }));
    expect(fold([event, handedOver('2027-01-31T00:00:00Z')])).toMatchObject({ status: 'active', catalog: fullCatalogSelection(), returnWindow: null });
  });

  it('current versions pass through unchanged', () => {
    const events: ContractEvent[] = [ordered, handedOver('2027-01-31T00:00:00Z'), destructionScheduled('2027-02-10T00:00:00Z')];
    for (const e of events) expect(upcast({ type: e.type, schemaVersion: EVENT_SCHEMA_VERSIONS[e.type], data: e.data })).toEqual(e);
  });

  it('refuses unknown event types', () => {
    expect(codeOf(() => upcast({ type: 'ContractTeleported', schemaVersion: 1, data: {} }))).toBe('event.unknown_type');
    expect(codeOf(() => upcast({ type: 'toString', schemaVersion: 1, data: {} }))).toBe('event.unknown_type');
  });

  it.each([4, 0, 1.5])('refuses ContractOrdered schema version %s', (schemaVersion) =>
    expect(codeOf(() => upcast({ type: 'ContractOrdered', schemaVersion, data: ordered.data }))).toBe('event.unsupported_version'));

  it('gives each event the instant it records', () => {
    const at = '2027-03-01T00:00:00.000Z';
    const events: ContractEvent[] = [
      contractOrdered({ orderedAt: at }),
      handedOver(at),
      renewalAccepted('inv-1', at, '2027-04-01T00:00:00Z', { acceptedAt: at }),
      renewalRejected('inv-1', at),
      renewalWithdrawn('inv-1', at),
      nonRenewalNoticed(at, '2027-04-01T00:00:00Z'),
      contractExpired('2027-02-01T00:00:00Z', { actedAt: at }),
      contractTerminated(at),
      contractCancelled(at),
      credentialsRevoked(at),
      destructionScheduled('2027-02-01T00:00:00Z', { scheduledAt: at }),
      dataExportRequested('x-1', at),
      dataExportServed('x-1', at),
      destructionStarted(at),
      locationDestructionFailed('web-platform', at),
      locationDestroyed('web-platform', at),
      destructionEscalated(at, '2027-04-01T00:00:00Z'),
      destructionDeadlineMissed(at, '2027-04-01T00:00:00Z'),
      { type: 'DestructionCompleted', data: { completedAt: at, certificate: null as never } },
      { type: 'DpoCommunicated', data: { name: 'Dana', email: 'dpo@processor.example', phone: null, dpoVersion: 1, communicatedAt: at } },
      { type: 'StorageLocationsChanged', data: { changeId: 'c-1', added: null, removed: 'ovh-gra-1', storageLocations: ['web-platform'], dueAt: '2027-02-01T00:00:00.000Z', actedAt: at } },
    ];
    expect(new Set(events.map((e) => e.type)).size).toBe(CONTRACT_EVENT_TYPES.length);
    for (const e of events) expect(occurredAt(e), e.type).toBe(at);
  });
});
