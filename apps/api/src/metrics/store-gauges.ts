import { Gauge, type Registry } from 'prom-client';
import { CONTRACT_STATUSES, DEADLINE_KINDS, FILE_TYPES, finalStatusesOf } from '#domain';
import { setByLabel, type ScrapeQuery } from '#infra/metrics/database-gauges';
import { DEADLINES_TABLE } from '#infra/event-store/deadlines-projection';

/** Each file type's read model and the statuses that close a file: a file in any other status is open. */
// The registers without an end (staff, the processor's DPO) have no open files to count.
export const COUNTED_FILE_TYPES = FILE_TYPES.flatMap((t) => {
  const final = finalStatusesOf(t);
  return final.length ? [{ type: t.name, table: t.readModel.table, final }] : [];
});

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
      sql: COUNTED_FILE_TYPES.map((f, i) => `SELECT '${f.type}' AS label, count(*) AS n FROM ${f.table} WHERE status <> ALL($${i + 1}::text[])`).join('\nUNION ALL '),
      params: COUNTED_FILE_TYPES.map((f) => f.final),
      gauges: [open],
      set: (rows) => setByLabel(open, 'type', COUNTED_FILE_TYPES.map((f) => f.type), rows),
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
      set: (rows) => setByLabel(events, 'stream_type', FILE_TYPES.map((t) => t.name), rows),
    },
  ];
}
