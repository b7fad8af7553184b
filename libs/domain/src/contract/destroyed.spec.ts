import { describe, it } from 'vitest';
import { given } from '../testing/given';
import {
  acceptRenewal,
  allLocationsDestroyed,
  cancelContract,
  completeDestruction,
  activeSince,
  contractTerminated,
  credentialsRevoked,
  destructionScheduled,
  destructionStarted,
  escalateDestruction,
  expireContract,
  handOverCredentials,
  markDeadlineMissed,
  noticeNonRenewal,
  orderContract,
  recordLocationDestroyed,
  recordLocationDestructionFailed,
  rejectRenewal,
  renewalAccepted,
  requestDataExport,
  revokeCredentials,
  scheduleDestruction,
  serveDataExport,
  startDestruction,
  terminateContract,
  withdrawRenewal,
} from '../testing/factories';
import type { DestructionCompleted } from './contract.events';
import { decide } from './contract.decide';
import { fold } from './contract.evolve';
import type { ContractCommand } from './contract.commands';

const T0 = '2027-01-31T00:00:00Z';
const END = '2027-12-31T00:00:00.000Z';
const LATER = '2028-01-20T00:00:00.000Z';
const history = [
  ...activeSince(T0, { billingPeriod: 'P1Y' }),
  renewalAccepted('inv-1', '2028-01-31T00:00:00Z', '2029-01-31T00:00:00Z', { acceptedAt: '2027-06-01T00:00:00Z', previousTermEnd: '2028-01-31T00:00:00Z' }),
  contractTerminated(END),
  credentialsRevoked(END),
  destructionScheduled(END),
  destructionStarted(END),
  ...allLocationsDestroyed('2028-01-10T00:00:00Z'),
];
const completed = decide(completeDestruction('2028-01-10T00:00:00Z'), fold(history)) as DestructionCompleted[];
const destroyed = [...history, ...completed];

describe('L12: after destruction the contract only answers reads', () => {
  it.each<ContractCommand>([
    orderContract(),
    handOverCredentials(LATER, 'cred-9'),
    acceptRenewal('inv-2', '2029-01-31T00:00:00Z', '2030-01-31T00:00:00Z'),
    acceptRenewal('inv-1', '2028-01-31T00:00:00Z', '2029-01-31T00:00:00Z'),
    rejectRenewal('inv-3', LATER),
    withdrawRenewal('inv-3', LATER),
    noticeNonRenewal(LATER),
    expireContract(LATER),
    terminateContract(LATER),
    cancelContract(LATER),
    revokeCredentials(LATER),
    scheduleDestruction(LATER),
    requestDataExport('x-1', LATER),
    serveDataExport('x-1', LATER),
    startDestruction(LATER),
    recordLocationDestroyed('web-platform', LATER),
    recordLocationDestructionFailed('web-platform', LATER),
    completeDestruction(LATER),
    escalateDestruction(LATER),
    markDeadlineMissed(LATER),
  ])('L12: $type is refused once the data is destroyed, even as a repeat', (command) =>
    given(destroyed).when(command).thenThrows('contract.destroyed', 'conflict'));

  it('L12: even a malformed command gets the same answer', () =>
    given(destroyed).when(acceptRenewal('inv-2', '2030-01-31T00:00:00Z', '2029-01-31T00:00:00Z')).thenThrows('contract.destroyed', 'conflict'));
});
