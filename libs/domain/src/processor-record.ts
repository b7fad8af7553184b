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

/**
 * A controller as the record names it (DESIGN §3.9): its identity, its name and contact as its
 * latest order gives them, and the categories of processing carried out for it across its contracts.
 */
export interface ControllerEntry {
  /** The controller's identity: its customer id, else its normalised email. */
  readonly identity: string;
  readonly name: string;
  readonly email: string;
  readonly address: string | null;
  readonly dpoEmail: string | null;
  readonly customerId: string | null;
  /** Art. 30(2)(b): the categories of processing carried out for it, across its contracts. */
  readonly purposes: readonly CatalogEntry[];
  readonly natureOfOperations: string;
  readonly dataCategories: readonly CatalogEntry[];
  readonly dataSubjectCategories: readonly CatalogEntry[];
  readonly storageLocations: readonly StorageLocation[];
}

/** A transfer the law required, with its legal basis (Art. 30(2)(c)). */
export type SafeguardedTransfer = RecordedTransfer & { readonly safeguards: string };

export interface ControllerRecord extends ControllerEntry {
  readonly contracts: readonly { readonly contractId: string; readonly reference: string | null; readonly status: string; readonly processingStartedAt: Instant | null }[];
  /** Art. 30(2)(c): every catalog site is in France; a transfer the law required is listed with its legal basis. */
  readonly thirdCountryTransfers: readonly SafeguardedTransfer[];
}

/** What the record says once, whatever the number of contracts: when, the processor and its DPO (Art. 30(2)(a)), the security measures (d). */
export interface ProcessorRecordHead {
  readonly generatedAt: Instant;
  readonly processor: Processor & { readonly dpo: DpoContact };
  /** Art. 30(2)(d). */
  readonly securityMeasures: SecurityMeasures;
}

/** GDPR Art. 30(2): the processor's record of processing across every controller it acts for (DESIGN §3.9), in one piece. */
export interface ProcessorRecord extends ProcessorRecordHead {
  readonly controllers: readonly ControllerRecord[];
}

/**
 * One contract the processor acts for, as a row of the record: the contract, its controller's
 * entry (across all the controller's contracts, not this one only) and the transfers of this contract.
 */
export interface ProcessorRecordRow {
  readonly contractId: string;
  readonly reference: string | null;
  readonly status: (typeof ACTING_STATUSES)[number];
  readonly orderedAt: Instant;
  readonly processingStartedAt: Instant | null;
  readonly controller: ControllerEntry;
  readonly thirdCountryTransfers: readonly SafeguardedTransfer[];
}

type Acting = Extract<ContractState, { status: (typeof ACTING_STATUSES)[number] }>;

/** Whether the processor still acts for the contract's controller (ACTING_STATUSES). */
export const isActing = (s: ContractState): s is Acting => (ACTING_STATUSES as readonly string[]).includes(s.status);

const TRANSFER_SAFEGUARD = 'Required by Union or Member State law (GDPR 28(3)(a)); the controller was informed before the transfer unless that law forbids it';

const safeguarded = (t: RecordedTransfer): SafeguardedTransfer => ({ ...t, safeguards: TRANSFER_SAFEGUARD });

export function processorRecordHead(dpo: DpoContact, generatedAt: Instant, processor: Processor = PROCESSOR): ProcessorRecordHead {
  return { generatedAt, processor: { ...processor, dpo }, securityMeasures: SECURITY_MEASURES };
}

interface Tally {
  /** The latest order: the greatest orderedAt, the smallest contract id among equals. */
  latest: Pick<Acting, 'orderedAt' | 'contractId' | 'controller'>;
  readonly purposes: Set<string>;
  readonly dataCategories: Set<string>;
  readonly dataSubjectCategories: Set<string>;
  readonly locations: Map<string, StorageLocation>;
}

const later = (a: Tally['latest'], b: Tally['latest']) => a.orderedAt > b.orderedAt || (a.orderedAt === b.orderedAt && a.contractId < b.contractId);

/**
 * The controllers' entries, folded from their contracts one at a time, in any order and in any
 * number of pieces (a contract added twice counts once). Per controller it keeps its latest order
 * and the catalog ids seen, never its contracts: its size does not grow with their number.
 */
export class ControllerTallies {
  private readonly tallies = new Map<string, Tally>();

  /** Counts the contract in its controller's entry; a contract the processor no longer acts for is left out. */
  add(contract: ContractState): void {
    if (!isActing(contract)) return;
    const identity = controllerIdentity(contract.controller);
    const latest = { orderedAt: contract.orderedAt, contractId: contract.contractId, controller: contract.controller };
    let tally = this.tallies.get(identity);
    if (!tally) {
      tally = { latest, purposes: new Set(), dataCategories: new Set(), dataSubjectCategories: new Set(), locations: new Map() };
      this.tallies.set(identity, tally);
    } else if (later(latest, tally.latest)) {
      tally.latest = latest;
    }
    for (const id of contract.catalog.purposes) tally.purposes.add(id);
    for (const id of contract.catalog.dataCategories) tally.dataCategories.add(id);
    for (const id of contract.catalog.dataSubjectCategories) tally.dataSubjectCategories.add(id);
    for (const l of heldLocations(contract)) tally.locations.set(l.id, l);
  }

  has(identity: string): boolean {
    return this.tallies.has(identity);
  }

  /** Forgets the controllers counted first until at most `count` remain (a bound on what a long read holds). */
  keepAtMost(count: number): void {
    for (const identity of this.tallies.keys()) {
      if (this.tallies.size <= count) return;
      this.tallies.delete(identity);
    }
  }

  /** The controller's entry from the contracts added so far, or null if none of its contracts was. */
  entry(identity: string): ControllerEntry | null {
    const tally = this.tallies.get(identity);
    if (!tally) return null;
    const { controller } = tally.latest;
    // Catalog order first, then the locations changes added (by id): the same whatever the contracts' order.
    const rank = (id: string) => STORAGE_LOCATIONS.findIndex((l) => l.id === id);
    const locations = [...tally.locations.values()].sort((a, b) => {
      const [ra, rb] = [rank(a.id), rank(b.id)];
      return ra >= 0 && rb >= 0 ? ra - rb : ra >= 0 ? -1 : rb >= 0 ? 1 : a.id.localeCompare(b.id, 'en');
    });
    return {
      identity,
      name: controller.name,
      email: controller.email,
      address: controller.address,
      dpoEmail: controller.dpoEmail,
      customerId: controller.customerId,
      purposes: catalogLabels([...tally.purposes], PURPOSES),
      natureOfOperations: NATURE_OF_OPERATIONS,
      dataCategories: catalogLabels([...tally.dataCategories], DATA_CATEGORIES),
      dataSubjectCategories: catalogLabels([...tally.dataSubjectCategories], DATA_SUBJECT_CATEGORIES),
      storageLocations: locations,
    };
  }
}

/**
 * The rows of `contracts` (those the processor acts for, in the order given), each with its
 * controller's entry from `tallies` (the contract itself is counted in it) and its own transfers.
 */
export function processorRecordRows(contracts: readonly ContractState[], tallies: ControllerTallies, transfers: readonly RecordedTransfer[]): ProcessorRecordRow[] {
  const acting = contracts.filter(isActing);
  for (const c of acting) tallies.add(c);
  return acting.map((c) => ({
    contractId: c.contractId,
    reference: c.reference,
    status: c.status,
    orderedAt: c.orderedAt,
    processingStartedAt: c.processingStartedAt,
    controller: tallies.entry(controllerIdentity(c.controller))!,
    thirdCountryTransfers: transfers.filter((t) => t.contractId === c.contractId).map(safeguarded),
  }));
}

/** The whole record in one piece, grouped by controller (by name): for a set of contracts known to be small. */
export function processorRecord(contracts: readonly ContractState[], transfers: readonly RecordedTransfer[], dpo: DpoContact, generatedAt: Instant, processor: Processor = PROCESSOR): ProcessorRecord {
  const tallies = new ControllerTallies();
  const groups = new Map<string, Acting[]>();
  for (const c of contracts) {
    if (!isActing(c)) continue;
    tallies.add(c);
    const key = controllerIdentity(c.controller);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const controllers = [...groups.entries()].map(([identity, own]): ControllerRecord => {
    const ids = new Set(own.map((c) => c.contractId));
    return {
      ...tallies.entry(identity)!,
      contracts: own.map((c) => ({ contractId: c.contractId, reference: c.reference, status: c.status, processingStartedAt: c.processingStartedAt })),
      thirdCountryTransfers: transfers.filter((t) => ids.has(t.contractId)).map(safeguarded),
    };
  });
  controllers.sort((a, b) => a.name.localeCompare(b.name, 'en') || a.identity.localeCompare(b.identity, 'en'));
  return { ...processorRecordHead(dpo, generatedAt, processor), controllers };
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

/** The CSV's first line: the column names. */
export function processorRecordCsvHeader(): string {
  return `${PROCESSOR_RECORD_CSV_COLUMNS.join(',')}\r\n`;
}

/**
 * Rows as CSV lines under the record's head, each ended by CRLF: one line per contract, its
 * controller's columns first; lists joined with "; "; every cell through csvCell (RFC 4180, formulas made inert).
 */
export function processorRecordCsvLines(head: ProcessorRecordHead, rows: readonly ProcessorRecordRow[]): string {
  const m = head.securityMeasures;
  const security = `At rest: ${m.atRest.encryption}, key ${m.atRest.key}, passphrase ${m.atRest.passphrase}. In transit: ${m.inTransit.encryption}, ${m.inTransit.key}. Recovery: ${m.recovery}. Certifications: ${m.certifications.length ? m.certifications.join(', ') : 'none'}`;
  const dpo = `${head.processor.dpo.name} <${head.processor.dpo.email}>${head.processor.dpo.phone ? ` ${head.processor.dpo.phone}` : ''}`;
  const labels = (entries: readonly { label?: string; name?: string }[]) => entries.map((e) => e.label ?? e.name ?? '').join('; ');
  return rows
    .map(({ controller: c, ...k }) =>
      [
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
        k.thirdCountryTransfers.map((t) => `${t.destination} on ${t.plannedAt}: ${t.legalObligation}`).join('; ') || 'none',
        dpo,
        security,
      ]
        .map(csvCell)
        .join(',') + '\r\n',
    )
    .join('');
}
