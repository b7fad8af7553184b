import { v5 as uuidv5 } from 'uuid';

/** The namespace of the engine's derived ids (uuid v5): the same inputs always name the same file. */
export const ID_NAMESPACE = '6f1c4f4e-2d4b-5a54-9c33-7724d9a00001';

/** One breach notice per incident and contract: its id follows from both, so a retried fan-out opens it once. */
export const breachNoticeId = (incidentId: string, contractId: string): string => uuidv5(`breach-notice\n${incidentId}\n${contractId}`, ID_NAMESPACE);

/** One sub-processor notice per change and contract (DESIGN §3.8): found from both, opened once by a retried fan-out. */
export const subProcessorNoticeId = (changeId: string, contractId: string): string => uuidv5(`sub-processor-notice\n${changeId}\n${contractId}`, ID_NAMESPACE);

/** A controller's file of a type it has one of (its record, its contact check), named by its identity (`customer:<id>` or `email:<address>`). */
export const controllerFileId = (type: string, identity: string): string => uuidv5(`${type}\n${identity}`, ID_NAMESPACE);
/** DESIGN §8: a controller's record. */
export const controllerRecordId = (identity: string): string => controllerFileId('controller', identity);
