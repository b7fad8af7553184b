import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { incidentStream } from './incident.decider';
import type { IncidentState, RecordedIncident } from './incident.model';

/** A security incident, processor-wide; confirmed, it opens a breach notice per affected contract (P8; DESIGN §3.1). */
export const incidentType = fileType<IncidentState>({
  name: 'incident',
  noun: 'incident',
  parent: 'processor',
  idPattern: CANONICAL_UUID,
  stream: incidentStream,
  statuses: { investigating: 'open', confirmed: 'open', dismissed: 'final', closed: 'final' },
  clocks: null,
  readModel: { table: 'incidents', listedAt: (s) => (s as RecordedIncident).detectedAt, listedAtColumn: 'detected_at' },
});
