import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { processorDpoStream, type ProcessorDpoState } from './processor-dpo.decider';

type Set = Exclude<ProcessorDpoState, { status: 'none' }>;

/** The processor's DPO, and each change of it written to every controller once (P12; DESIGN §3.6). */
export const processorDpoType = fileType<ProcessorDpoState>({
  name: 'processor-dpo',
  noun: "processor's DPO",
  parent: 'processor',
  idPattern: CANONICAL_UUID,
  stream: processorDpoStream,
  statuses: { set: 'open' },
  clocks: null,
  readModel: {
    table: 'processor_dpo',
    listedAt: (s) => (s as Set).current.recordedAt,
  },
});
