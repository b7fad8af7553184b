import { Gauge, type Registry } from 'prom-client';
import {
  assistanceRequestStream,
  auditStream,
  breachNoticeStream,
  contractStream,
  incidentStream,
  instructionStream,
  subjectRequestStream,
  subProcessorChangeStream,
  subProcessorNoticeStream,
  transferNoticeStream,
  type AssistanceRequestState,
  type AuditState,
  type BreachNoticeState,
  type ContractState,
  type ContractStatus,
  type IncidentState,
  type InstructionState,
  type SubjectRequestState,
  type SubProcessorChangeState,
  type SubProcessorNoticeState,
  type TransferNoticeState,
} from '../../../../libs/domain/src';
import { setByLabel, type ScrapeQuery } from '../../../../libs/infra/src/metrics/database-gauges';
import { DEADLINES_TABLE } from '../../../../libs/infra/src/event-store/deadlines-projection';
import { STREAM_TYPES } from '../../../../libs/infra/src/event-store/streams';
import { DEADLINE_KINDS } from '../deadlines/dto/list-deadlines.dto';

/** A file type's read model and the statuses its decider ends in: a file in any other status is open. */
const file = <S extends { readonly status: string }>(type: string, table: string, terminal: readonly Exclude<S['status'], 'none'>[]) => ({ type, table, terminal });

// The registers without an end (staff, the processor's DPO) have no open files to count.
export const FILE_TYPES = [
  file<ContractState>(contractStream.name, 'contracts', ['destroyed']),
  file<SubjectRequestState>(subjectRequestStream.name, 'subject_requests', ['completed']),
  file<IncidentState>(incidentStream.name, 'incidents', ['dismissed', 'closed']),
  file<BreachNoticeState>(breachNoticeStream.name, 'breach_notices', ['closed']),
  file<InstructionState>(instructionStream.name, 'instructions', ['executed', 'withdrawn']),
  file<TransferNoticeState>(transferNoticeStream.name, 'transfer_notices', ['sent', 'withheld']),
  file<AssistanceRequestState>(assistanceRequestStream.name, 'assistance_requests', ['delivered']),
  file<AuditState>(auditStream.name, 'audits', ['closed']),
  file<SubProcessorChangeState>(subProcessorChangeStream.name, 'sub_processor_changes', ['effective']),
  file<SubProcessorNoticeState>(subProcessorNoticeStream.name, 'sub_processor_notices', ['kept', 'applied', 'lapsed']),
];

/** Every status a contract can be in (the compiler holds this to ContractStatus). */
const CONTRACT_STATUSES = Object.keys({ ordered: 1, active: 1, expired: 1, terminated: 1, cancelled: 1, destroyed: 1 } satisfies Record<Exclude<ContractStatus, 'none'>, 1>);

const labelled = (registry: Registry, name: string, help: string, label: string) => new Gauge({ name, help, labelNames: [label], registers: [registry] });

/**
 * The read models' gauges of GET /metrics, each one statement at scrape time: files not yet in a
 * terminal status by type, contracts by status, clocks past due by kind, events stored by stream type.
 */
export function storeGauges(registry: Registry): ScrapeQuery[] {
  const open = labelled(registry, 'dpa_open_files', 'Files not yet in a terminal status, by file type.', 'type');
  const contracts = labelled(registry, 'dpa_contracts', 'Contracts by status.', 'status');
  const overdue = labelled(registry, 'dpa_overdue_clocks', 'Open clocks past their due instant (the inbox\'s overdue items), by kind.', 'kind');
  const events = labelled(registry, 'dpa_events', 'Events stored, by stream type (the sum of the streams\' versions).', 'stream_type');
  return [
    {
      name: 'open_files',
      sql: FILE_TYPES.map((f, i) => `SELECT '${f.type}' AS label, count(*) AS n FROM ${f.table} WHERE status <> ALL($${i + 1}::text[])`).join('\nUNION ALL '),
      params: FILE_TYPES.map((f) => f.terminal),
      gauges: [open],
      set: (rows) => setByLabel(open, 'type', FILE_TYPES.map((f) => f.type), rows),
    },
    {
      name: 'contracts',
      sql: `SELECT status AS label, count(*) AS n FROM contracts GROUP BY status`,
      gauges: [contracts],
      set: (rows) => setByLabel(contracts, 'status', CONTRACT_STATUSES, rows),
    },
    {
      name: 'overdue_clocks',
      sql: `SELECT kind AS label, count(*) AS n FROM ${DEADLINES_TABLE} WHERE due_at < now() GROUP BY kind`,
      gauges: [overdue],
      set: (rows) => setByLabel(overdue, 'kind', DEADLINE_KINDS, rows),
    },
    {
      // A stream's version is its count of events: one row per file read, not one per event.
      name: 'events',
      sql: `SELECT stream_type AS label, sum(version) AS n FROM streams GROUP BY stream_type`,
      gauges: [events],
      set: (rows) => setByLabel(events, 'stream_type', STREAM_TYPES.map((t) => t.stream.name), rows),
    },
  ];
}
