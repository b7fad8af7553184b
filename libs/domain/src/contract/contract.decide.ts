import { assertNever } from '../errors';
import type { ContractCommand } from './contract.commands';
import type { ContractEvent } from './contract.events';
import { allowed, openContract } from './contract.guards';
import type { ContractState } from './contract.state';
import { completeDestruction, escalateDestruction, markDeadlineMissed, recordLocationDestroyed, recordLocationDestructionFailed, scheduleDestruction, startDestruction } from './destruction.decide';
import { cancelContract, expireContract, revokeCredentials, terminateContract } from './end.decide';
import { requestDataExport, serveDataExport } from './export.decide';
import { changeStorageLocations } from './locations.decide';
import { handOverCredentials, orderContract } from './order.decide';
import { acceptRenewal, noticeNonRenewal, rejectRenewal, withdrawRenewal } from './renewal.decide';

/**
 * The events a command produces, or a DomainError. A repeat of something already recorded
 * (same invoice, same export request, a destroyed location, a second notice or escalation)
 * produces no events, so at-least-once delivery is harmless.
 */
export function decide(command: ContractCommand, state: ContractState): ContractEvent[] {
  if (command.type === 'OrderContract') return orderContract(command, state);
  // "No contract yet" and L12 outrank everything else, even malformed input.
  const s = allowed(openContract(state));
  switch (command.type) {
    case 'HandOverCredentials': return handOverCredentials(command, s);
    case 'AcceptRenewal': return acceptRenewal(command, s);
    case 'RejectRenewal': return rejectRenewal(command, s);
    case 'WithdrawRenewal': return withdrawRenewal(command, s);
    case 'NoticeNonRenewal': return noticeNonRenewal(command, s);
    case 'ExpireContract': return expireContract(command, s);
    case 'TerminateContract': return terminateContract(command, s);
    case 'CancelContract': return cancelContract(command, s);
    case 'RevokeCredentials': return revokeCredentials(command, s);
    case 'ScheduleDestruction': return scheduleDestruction(command, s);
    case 'RequestDataExport': return requestDataExport(command, s);
    case 'ServeDataExport': return serveDataExport(command, s);
    case 'StartDestruction': return startDestruction(command, s);
    case 'RecordLocationDestroyed': return recordLocationDestroyed(command, s);
    case 'RecordLocationDestructionFailed': return recordLocationDestructionFailed(command, s);
    case 'CompleteDestruction': return completeDestruction(command, s);
    case 'EscalateDestruction': return escalateDestruction(command, s);
    case 'MarkDeadlineMissed': return markDeadlineMissed(command, s);
    case 'ChangeStorageLocations': return changeStorageLocations(command, s);
    default: return assertNever(command);
  }
}
