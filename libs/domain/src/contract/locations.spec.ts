import { describe, expect, it } from 'vitest';
import { processorRecord } from '../processor-record';
import { affectedBy } from '../incident/incident.decider';
import { given } from '../testing/given';
import { activeSince, contractOrdered, contractTerminated, credentialsRevoked, scheduleDestruction, terminatedAndRevoked } from '../testing/factories';
import type { ChangeStorageLocations } from './contract.commands';
import type { ContractEvent, StorageLocationsChanged } from './contract.events';
import { heldLocations, type OrderedOrLater } from './contract.state';
import { processingRecord } from './contract.view';

const T0 = '2027-01-31T00:00:00Z';
const EFFECTIVE = '2027-04-01T00:00:00.000Z';
const ACTED = '2027-04-01T00:00:02.000Z';
const RBX = { id: 'ovh-rbx-8', name: 'OVH RBX-8', kind: 'backup' as const, site: 'Roubaix, France' };
const change = (over: Partial<ChangeStorageLocations['data']> = {}): ChangeStorageLocations => ({
  type: 'ChangeStorageLocations',
  data: { changeId: 'change-1', added: RBX, removed: 'ovh-gra-1', dueAt: EFFECTIVE, actedAt: ACTED, ...over },
});
const changed = (storageLocations: readonly string[], over: Partial<StorageLocationsChanged['data']> = {}): StorageLocationsChanged => ({
  type: 'StorageLocationsChanged',
  data: { changeId: 'change-1', added: RBX, removed: 'ovh-gra-1', storageLocations, dueAt: EFFECTIVE, actedAt: ACTED, ...over },
});
const ids = (s: OrderedOrLater) => heldLocations(s).map((l) => l.id);
const stateOf = (events: readonly ContractEvent[]) => given(events).state as OrderedOrLater;

describe('a sub-processor change taken by a contract (DESIGN §3.8, GDPR 28(2))', () => {
  it('a replacement swaps the location; the one it replaces still held the data, so destruction covers it', () => {
    given(activeSince(T0))
      .when(change())
      .then(changed(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-rbx-8']))
      .andState((s) => {
        const c = s as OrderedOrLater;
        expect(c.catalog.storageLocations).toEqual(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-rbx-8']);
        expect(ids(c)).toEqual(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-rbx-8', 'ovh-gra-1']);
        expect(processingRecord(c).storageLocations.map((l) => l.id)).toEqual(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-rbx-8']);
        expect(processingRecord(c).formerStorageLocations).toEqual([{ id: 'ovh-gra-1', name: 'OVH GRA-1', kind: 'backup', site: 'Gravelines, France' }]);
      });
    const after = [...activeSince(T0), changed(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-rbx-8']), contractTerminated('2027-06-01T00:00:00Z'), credentialsRevoked('2027-06-01T00:00:00Z')];
    given(after)
      .when(scheduleDestruction('2027-06-01T00:00:00Z'))
      .thenState((s) => expect((s as OrderedOrLater).destruction.locations.map((l) => l.id)).toEqual(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-rbx-8', 'ovh-gra-1']));
  });

  it('an addition adds a location; each change is taken once', () => {
    const added = changed(['web-platform', 'ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet', 'ovh-rbx-8'], { removed: null });
    given(activeSince(T0)).when(change({ removed: null })).then(added);
    given([...activeSince(T0), added]).when(change({ removed: null })).thenNothing();
    // The register of the processor's record lists the new location once, however many contracts hold it.
    const c = stateOf([...activeSince(T0), added]);
    const record = processorRecord([c, c], [], { name: 'D', email: 'd@p.example', phone: null }, ACTED);
    expect(record.controllers[0]!.storageLocations.map((l) => l.id)).toEqual(['web-platform', 'ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet', 'ovh-rbx-8']);
    // Catalog order, then the added ones by id, whatever order the contracts come in.
    const other = stateOf([...activeSince(T0), changed(['web-platform', 'ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet', 'aa-site'], { removed: null, added: { ...RBX, id: 'aa-site' } })]);
    const both = processorRecord([c, other], [], { name: 'D', email: 'd@p.example', phone: null }, ACTED).controllers[0]!.storageLocations.map((l) => l.id);
    expect(both).toEqual(['web-platform', 'ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet', 'aa-site', 'ovh-rbx-8']);
    expect(processorRecord([other, c], [], { name: 'D', email: 'd@p.example', phone: null }, ACTED).controllers[0]!.storageLocations.map((l) => l.id)).toEqual(both);
  });

  it('a location taken back after a replacement is current again, not former; an added catalog location is not kept twice', () => {
    const first = changed(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-rbx-8']);
    const back = changed(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-gra-1'], { changeId: 'change-2', added: { id: 'ovh-gra-1', name: 'OVH GRA-1', kind: 'backup', site: 'Gravelines, France' }, removed: 'ovh-rbx-8' });
    const s = stateOf([...activeSince(T0), first, back]);
    expect(s.formerLocations).toEqual(['ovh-rbx-8']);
    expect(s.addedLocations).toEqual([RBX]);
    expect(ids(s)).toEqual(['web-platform', 'ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet', 'ovh-rbx-8']);
  });

  it('an ordered contract takes it too; once processing ended its data stays where it is', () => {
    given([contractOrdered()]).when(change()).thenState((s) => expect((s as OrderedOrLater).catalog.storageLocations).toContain('ovh-rbx-8'));
    given(terminatedAndRevoked(T0, '2027-03-01T00:00:00Z')).when(change()).thenThrows('contract.ended', 'conflict');
    // A retried apply whose first answer was lost, after processing ended: the change stands, nothing more.
    given([...activeSince(T0), changed(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-rbx-8']), contractTerminated('2027-06-01T00:00:00Z')]).when(change()).thenNothing();
  });

  it('refuses a change that removes a location the contract does not use, adds one it has, or does nothing', () => {
    const narrow = activeSince(T0, { catalog: { purposes: ['website-hosting'], dataCategories: [], dataSubjectCategories: [], storageLocations: ['web-platform'] } });
    given(narrow).when(change()).thenThrows('storage_locations.not_held', 'rule');
    given(activeSince(T0)).when(change({ removed: null, added: { ...RBX, id: 'ovh-sbg-2' } })).thenThrows('storage_locations.already_held', 'rule');
    given(activeSince(T0)).when(change({ removed: null, added: null })).thenThrows('storage_locations.empty_change', 'validation');
    given(activeSince(T0)).when(change({ dueAt: 'soon' })).thenThrows('calendar.invalid_instant', 'validation');
  });

  it('an incident at a location the data was moved from still reaches the contract', () => {
    const s = stateOf([...activeSince(T0), changed(['web-platform', 'ovh-sbg-2', 'company-backup-le-tholonet', 'ovh-rbx-8'])]);
    expect(affectedBy({ locations: ['ovh-gra-1'], from: '2027-05-01T00:00:00.000Z', to: '2027-05-02T00:00:00.000Z' }, s)).toBe(true);
    expect(affectedBy({ locations: ['ovh-rbx-8'], from: '2027-05-01T00:00:00.000Z', to: '2027-05-02T00:00:00.000Z' }, s)).toBe(true);
  });
});
