import type { Instant } from './calendar';
import { DATA_CATEGORIES, DATA_SUBJECT_CATEGORIES, NATURE_OF_OPERATIONS, PROCESSOR, PURPOSES, SECURITY_MEASURES, STORAGE_LOCATIONS, catalogLabels, type CatalogEntry, type Processor, type SecurityMeasures, type StorageLocation } from './catalog';
import { heldLocations, type ContractState } from './contract/contract.state';
import { controllerIdentity } from './contract/order.decide';

/** The processor's DPO (P12; DESIGN §3.6), as communicated to controllers. */
export interface DpoContact {
  readonly name: string;
  readonly email: string;
  readonly phone: string | null;
}

/** A transfer to a third country the law required (P2), as the record lists it. */
export interface RecordedTransfer {
  readonly contractId: string;
  readonly destination: string;
  readonly legalObligation: string;
  readonly plannedAt: Instant;
}

/** The statuses in which the processor still acts for the controller: processing, or holding data awaiting destruction. */
export const ACTING_STATUSES = ['ordered', 'active', 'expired', 'terminated'] as const;

export interface ControllerRecord {
  /** The controller's identity: its customer id, else its normalised email. */
  readonly identity: string;
  readonly name: string;
  readonly email: string;
  readonly address: string | null;
  readonly dpoEmail: string | null;
  readonly customerId: string | null;
  readonly contracts: readonly { readonly contractId: string; readonly reference: string | null; readonly status: string; readonly processingStartedAt: Instant | null }[];
  /** Art. 30(2)(b): the categories of processing carried out for it, across its contracts. */
  readonly purposes: readonly CatalogEntry[];
  readonly natureOfOperations: string;
  readonly dataCategories: readonly CatalogEntry[];
  readonly dataSubjectCategories: readonly CatalogEntry[];
  readonly storageLocations: readonly StorageLocation[];
  /** Art. 30(2)(c): every catalog site is in France; a transfer the law required is listed with its legal basis. */
  readonly thirdCountryTransfers: readonly (RecordedTransfer & { readonly safeguards: string })[];
}

/** GDPR Art. 30(2): the processor's record of processing across every controller it acts for (DESIGN §3.9). */
export interface ProcessorRecord {
  readonly generatedAt: Instant;
  readonly processor: Processor & { readonly dpo: DpoContact };
  readonly controllers: readonly ControllerRecord[];
  /** Art. 30(2)(d). */
  readonly securityMeasures: SecurityMeasures;
}

type Acting = Extract<ContractState, { status: (typeof ACTING_STATUSES)[number] }>;

const isActing = (s: ContractState): s is Acting => (ACTING_STATUSES as readonly string[]).includes(s.status);

const TRANSFER_SAFEGUARD = 'Required by Union or Member State law (GDPR 28(3)(a)); the controller was informed before the transfer unless that law forbids it';

export function processorRecord(contracts: readonly ContractState[], transfers: readonly RecordedTransfer[], dpo: DpoContact, generatedAt: Instant, processor: Processor = PROCESSOR): ProcessorRecord {
  const groups = new Map<string, Acting[]>();
  for (const c of contracts) {
    if (!isActing(c)) continue;
    const key = controllerIdentity(c.controller);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const controllers = [...groups.entries()].map(([identity, own]): ControllerRecord => {
    // The latest order names the controller as it is now.
    const latest = own.reduce((a, b) => (b.orderedAt > a.orderedAt ? b : a));
    const union = (pick: (c: Acting) => readonly string[]) => [...new Set(own.flatMap(pick))];
    const ids = new Set(own.map((c) => c.contractId));
    // Catalog order first, then the locations changes added (by id): the same whatever the contracts' order.
    const rank = (id: string) => STORAGE_LOCATIONS.findIndex((l) => l.id === id);
    const locations = [...new Map(own.flatMap((c) => heldLocations(c)).map((l) => [l.id, l])).values()].sort((a, b) => {
      const [ra, rb] = [rank(a.id), rank(b.id)];
      return ra >= 0 && rb >= 0 ? ra - rb : ra >= 0 ? -1 : rb >= 0 ? 1 : a.id.localeCompare(b.id, 'en');
    });
    return {
      identity,
      name: latest.controller.name,
      email: latest.controller.email,
      address: latest.controller.address,
      dpoEmail: latest.controller.dpoEmail,
      customerId: latest.controller.customerId,
      contracts: own.map((c) => ({ contractId: c.contractId, reference: c.reference, status: c.status, processingStartedAt: c.processingStartedAt })),
      purposes: catalogLabels(union((c) => c.catalog.purposes), PURPOSES),
      natureOfOperations: NATURE_OF_OPERATIONS,
      dataCategories: catalogLabels(union((c) => c.catalog.dataCategories), DATA_CATEGORIES),
      dataSubjectCategories: catalogLabels(union((c) => c.catalog.dataSubjectCategories), DATA_SUBJECT_CATEGORIES),
      storageLocations: locations,
      thirdCountryTransfers: transfers.filter((t) => ids.has(t.contractId)).map((t) => ({ ...t, safeguards: TRANSFER_SAFEGUARD })),
    };
  });
  controllers.sort((a, b) => a.name.localeCompare(b.name, 'en') || a.identity.localeCompare(b.identity, 'en'));
  return { generatedAt, processor: { ...processor, dpo }, controllers, securityMeasures: SECURITY_MEASURES };
}

/**
 * Whether a spreadsheet could read a text as a formula: its first character that is not white space
 * is `= + - @` once NFKC-normalised (a no-break or ideographic space is a space then, a fullwidth ＝
 * an =), or it begins with a tab or a carriage return.
 */
export function triggersFormula(value: string): boolean {
  if (/^[\t\r]/.test(value)) return true;
  return /^[=+\-@]/.test(value.normalize('NFKC').replace(/^\s+/u, ''));
}

/** A cell as RFC 4180 quotes it; a text a spreadsheet could run as a formula is made inert with a leading apostrophe. */
export function csvCell(value: string): string {
  const inert = triggersFormula(value) ? `'${value}` : value;
  return /[",\r\n]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}

export const PROCESSOR_RECORD_CSV_COLUMNS = [
  'controller_name',
  'controller_email',
  'controller_address',
  'controller_dpo_email',
  'controller_customer_id',
  'contract_id',
  'contract_reference',
  'contract_status',
  'processing_started_at',
  'purposes',
  'nature_of_operations',
  'data_categories',
  'data_subject_categories',
  'storage_locations',
  'third_country_transfers',
  'processor_dpo',
  'security_measures',
] as const;

/** The record as CSV: one row per contract, its controller's columns first; lists joined with "; ". */
export function processorRecordCsv(record: ProcessorRecord): string {
  const m = record.securityMeasures;
  const security = `At rest: ${m.atRest.encryption}, key ${m.atRest.key}, passphrase ${m.atRest.passphrase}. In transit: ${m.inTransit.encryption}, ${m.inTransit.key}. Recovery: ${m.recovery}. Certifications: ${m.certifications.length ? m.certifications.join(', ') : 'none'}`;
  const dpo = `${record.processor.dpo.name} <${record.processor.dpo.email}>${record.processor.dpo.phone ? ` ${record.processor.dpo.phone}` : ''}`;
  const labels = (entries: readonly { label?: string; name?: string }[]) => entries.map((e) => e.label ?? e.name ?? '').join('; ');
  const rows = record.controllers.flatMap((c) =>
    c.contracts.map((k) => [
      c.name,
      c.email,
      c.address ?? '',
      c.dpoEmail ?? '',
      c.customerId ?? '',
      k.contractId,
      k.reference ?? '',
      k.status,
      k.processingStartedAt ?? '',
      labels(c.purposes),
      c.natureOfOperations,
      labels(c.dataCategories),
      labels(c.dataSubjectCategories),
      c.storageLocations.map((l) => `${l.name} (${l.site})`).join('; '),
      c.thirdCountryTransfers.filter((t) => t.contractId === k.contractId).map((t) => `${t.destination} on ${t.plannedAt}: ${t.legalObligation}`).join('; ') || 'none',
      dpo,
      security,
    ]),
  );
  return [PROCESSOR_RECORD_CSV_COLUMNS.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n';
}
