import { describe, expect, it } from 'vitest';
import { CALLER_COMMAND_TYPES, CONTRACT_COMMAND_TYPES } from './contract.commands';
import { allowedCommands, callerCommands, commandAvailability } from './contract.availability';
import { fold } from './contract.evolve';
import { initialState } from './contract.state';
import {
  activeSince,
  allLocationsDestroyed,
  dataExportRequested,
  destructionPlanned,
  destructionUnderway,
  ordered,
  terminatedAndRevoked,
} from '../testing/factories';

const T0 = '2027-01-31T00:00:00Z';
const END = '2027-12-31T00:00:00.000Z';
const yearly = { billingPeriod: 'P1Y' } as const;

describe('command availability, from the state alone', () => {
  it('covers every command type', () => {
    expect(Object.keys(commandAvailability(initialState())).sort()).toEqual([...CONTRACT_COMMAND_TYPES].sort());
  });

  it('L1: before the order only ordering is possible', () => {
    expect(allowedCommands(initialState())).toEqual(['OrderContract']);
    expect(commandAvailability(initialState()).AcceptRenewal).toEqual({
      allowed: false,
      kind: 'not_found',
      code: 'contract.not_ordered',
      message: 'no contract has been ordered yet',
    });
  });

  it('L1/L2/L6: an ordered contract takes credentials or a cancellation', () =>
    expect(allowedCommands(fold([ordered]))).toEqual(['HandOverCredentials', 'CancelContract', 'ChangeStorageLocations']));

  it('L2–L6: an active contract takes renewals, notices, expiry and termination', () => {
    expect(allowedCommands(fold(activeSince(T0)))).toEqual([
      'HandOverCredentials',
      'AcceptRenewal',
      'RejectRenewal',
      'WithdrawRenewal',
      'NoticeNonRenewal',
      'ExpireContract',
      'TerminateContract',
      'ChangeStorageLocations',
    ]);
    expect(commandAvailability(fold(activeSince(T0))).CancelContract).toMatchObject({ allowed: false, kind: 'conflict', code: 'contract.wrong_state' });
  });

  it('L7/L8: once ended and revoked, destruction is scheduled next', () =>
    expect(allowedCommands(fold(terminatedAndRevoked(T0, END, yearly)))).toEqual(['RejectRenewal', 'WithdrawRenewal', 'ScheduleDestruction']));

  it('allowedCommands lists only what a caller may send: the engine\'s own commands never appear', () => {
    const engine = ['OrderContract', 'ExpireContract', 'RevokeCredentials', 'ScheduleDestruction', 'ServeDataExport', 'StartDestruction', 'RecordLocationDestroyed', 'RecordLocationDestructionFailed', 'CompleteDestruction', 'EscalateDestruction', 'MarkDeadlineMissed', 'ChangeStorageLocations'];
    expect([...CALLER_COMMAND_TYPES, ...engine].sort()).toEqual([...CONTRACT_COMMAND_TYPES].sort());
    const states = [fold([ordered]), fold(activeSince(T0)), fold(terminatedAndRevoked(T0, END, yearly)), fold(destructionPlanned(T0, END, { ...yearly, returnWindow: 'P14D' }))];
    for (const s of states) {
      expect(callerCommands(s)).toEqual(allowedCommands(s).filter((c) => !engine.includes(c)));
    }
    expect(callerCommands(fold(activeSince(T0)))).not.toContain('ExpireContract');
    expect(callerCommands(fold(destructionPlanned(T0, END, { ...yearly, returnWindow: 'P14D' })))).toContain('RequestDataExport');
  });

  it('L9: a pending export blocks the start of destruction (rule)', () => {
    const s = fold([...destructionPlanned(T0, END, { ...yearly, returnWindow: 'P14D' }), dataExportRequested('x-1', '2028-01-02T00:00:00Z')]);
    expect(commandAvailability(s).StartDestruction).toMatchObject({ allowed: false, kind: 'rule', code: 'destruction.export_pending' });
    expect(commandAvailability(s).ServeDataExport).toEqual({ allowed: true });
  });

  it('L10: completion becomes available when every location is destroyed', () => {
    const underway = destructionUnderway(T0, END, END, yearly);
    expect(commandAvailability(fold(underway)).CompleteDestruction).toMatchObject({ allowed: false, code: 'destruction.locations_pending' });
    expect(commandAvailability(fold([...underway, ...allLocationsDestroyed('2028-01-02T00:00:00Z')])).CompleteDestruction).toEqual({ allowed: true });
  });
});
