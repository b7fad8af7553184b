import { createHash, randomUUID } from 'node:crypto';
import { addDuration, contractStream, controllerIdentity, decide, evolve, FILE_TYPES, initialState, PROCESSOR_DPO_ID, type CommandContext, type ContractEvent, type FileType } from '#domain';
import * as f from '#domain/testing/factories';
import { CONTRACT_STREAM } from '#infra/event-store/contract-projection';
import { type EventStore } from '#infra/event-store/event-store';
import { toNewEvents } from '#infra/event-store/streams';
import { breachNoticeId, controllerFileId, controllerRecordId, subProcessorNoticeId } from '#infra/ids';
import { measure } from './support';

/** A contract the files are seeded under, as bench:ui wrote it. */
export interface SeededContract {
  readonly id: string;
  readonly orderedAt: string;
  readonly controller: { readonly customerId: string | null; readonly email: string };
}

/**
 * `count` contracts straight into the store through the contract's decider, ordered 30 days ago and
 * handed over; a tenth of them terminated with their destruction scheduled (the inbox's destruction
 * deadlines). Each has its own controller (`Controller i SAS`) and reference (`BENCH-0000i`).
 */
export async function seedContracts(store: EventStore, count: number, concurrency = 16): Promise<{ seeded: SeededContract[]; seconds: number }> {
  const orderedAt = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const seeded = Array.from({ length: count }, (_, i): SeededContract => ({ id: randomUUID(), orderedAt, controller: { customerId: null, email: `privacy-${i}@c${i % 97}.example` } }));
  const { seconds } = await measure(count, concurrency, async (i) => {
    const { id: contractId, controller } = seeded[i]!;
    let state = initialState();
    const events: ContractEvent[] = [];
    const commands = [
      f.orderContract({ contractId, orderedAt, reference: `BENCH-${String(i).padStart(5, '0')}`, controller: { ...controller, name: `Controller ${i} SAS`, address: null, dpoEmail: null } }),
      f.handOverCredentials(addDuration(orderedAt, 'PT1M'), randomUUID()),
      ...(i % 10 === 0 ? [f.terminateContract(addDuration(orderedAt, 'P1D')), f.revokeCredentials(addDuration(orderedAt, 'P1D')), f.scheduleDestruction(addDuration(orderedAt, 'P1D'))] : []),
    ];
    for (const command of commands) {
      for (const e of decide(command, state)) {
        state = evolve(state, e);
        events.push(e);
      }
    }
    await store.append(CONTRACT_STREAM, contractId, 0, toNewEvents(contractStream, events, { actor: 'bench' }));
  });
  return { seeded, seconds };
}

/** One file to write: its type, its id, and the domain commands that bring it where it is. */
interface Seed {
  readonly type: FileType;
  readonly id: string;
  readonly commands: readonly unknown[];
}

const typeNamed = (name: string): FileType => {
  const type = FILE_TYPES.find((t) => t.name === name);
  if (!type) throw new Error(`no file type ${name}`);
  return type;
};

/** A declared command, as the API would translate it: its body parsed by its schema, then its domain command. */
function declared(typeName: string, command: string, body: unknown, context: Omit<CommandContext, 'recordedAt'> & { recordedAt: string }): unknown {
  const spec = typeNamed(typeName).commands?.[command];
  if (!spec) throw new Error(`${typeName} declares no command ${command}`);
  return spec.toCommand(spec.schema().parse(body), context);
}

const digestOf = (ids: readonly string[]) => createHash('sha256').update([...ids].sort().join('\n')).digest('hex');

/**
 * The files of every type in the registry, written straight into the store through each type's own
 * decider (its projections, the inbox's clocks and the read models follow, as for a file the engine
 * wrote): per contract, two data-subject requests (one completed), an instruction, a transfer
 * notice, a DPIA request, an audit, a breach notice (from one incident per hundred contracts) and a
 * sub-processor notice (from one change per thousand); per controller, its record and its contact
 * check; the roster (one person per fifty contracts, authorised on them) and the processor's DPO.
 * A type the registry gains and this does not seed makes it throw: the benchmark cannot silently
 * skip one.
 */
export async function seedFiles(store: EventStore, contracts: readonly SeededContract[], concurrency = 16): Promise<{ counts: Map<string, number>; seconds: number; sample: Map<string, { contractId: string | null; id: string }> }> {
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const seeds: Seed[] = [];
  const sample = new Map<string, { contractId: string | null; id: string }>();
  const add = (seed: Seed, contractId: string | null) => {
    seeds.push(seed);
    if (!sample.has(seed.type.name)) sample.set(seed.type.name, { contractId, id: seed.id });
  };

  // Under each contract: what the declared commands open, as the API would.
  contracts.forEach((c, i) => {
    // The engine's settings at their defaults (DSR_ASSISTANCE_MARGIN).
    const base = { contractId: c.id, contract: { orderedAt: c.orderedAt }, settings: { assistanceMargin: 'P7D' } };
    const at = (ms: number) => ({ ...base, recordedAt: iso(ms) });
    const open = (typeName: string, command: string, body: unknown, ms: number, more: readonly [string, unknown][] = []): void => {
      const id = randomUUID();
      const commands = [declared(typeName, command, body, { id, ...at(ms) }), ...more.map(([name, b]) => declared(typeName, name, b, { id, ...at(ms + 60_000) }))];
      add({ type: typeNamed(typeName), id, commands }, c.id);
    };
    const received = now - ((i % 20) + 1) * 86_400_000; // after the contracts' order (bench:ui: 30 days ago)
    open('subject-request', 'open', { type: 'access', receivedAt: iso(received), receivedBy: 'controller', reference: `DSR-${i}-A` }, received);
    open('subject-request', 'open', { type: 'erasure', receivedAt: iso(received), receivedBy: 'processor', reference: `DSR-${i}-B` }, received, [['complete', { outcome: 'fulfilled' }]]);
    open('instruction', 'document', { receivedAt: iso(received), channel: 'email', summary: `Keep backups for ${30 + (i % 60)} days`, documentRef: `INS-${i}` }, received);
    open('transfer-notice', 'record', { destination: 'Switzerland', legalObligation: 'A court order', plannedAt: iso(now + ((i % 20) + 1) * 86_400_000) }, received);
    open('assistance-request', 'request', { kind: 'dpia', receivedAt: iso(received), dueAt: iso(received + 14 * 86_400_000), summary: `DPIA of database ${i}` }, received);
    open('audit', 'request', { kind: 'audit', requestedAt: iso(received), scope: `Backups of site ${i % 7}` }, received);
  });

  // Incidents, each confirmed over a hundred contracts, with their breach notices.
  const incident = typeNamed('incident');
  for (let k = 0; k * 100 < contracts.length; k++) {
    const over = contracts.slice(k * 100, (k + 1) * 100);
    const incidentId = randomUUID();
    const detected = now - ((k % 20) + 1) * 86_400_000;
    add(
      {
        type: incident,
        id: incidentId,
        commands: [
          { type: 'RecordIncident', data: { incidentId, detectedAt: iso(detected), scope: { contracts: over.map((c) => c.id) }, content: { summary: `Bench incident ${k}` }, recordedAt: iso(detected + 60_000) } },
          { type: 'ConfirmIncident', data: { awareAt: iso(detected + 120_000), confirmedAt: iso(detected + 180_000) } },
          { type: 'RecordAffectedContracts', data: { count: over.length, digest: digestOf(over.map((c) => c.id)), resolvedAt: iso(detected + 181_000) } },
          { type: 'RecordNoticesOpened', data: { count: over.length, openedAt: iso(detected + 182_000), includesUpdates: 0 } },
        ],
      },
      null,
    );
    const content = { summary: `Bench incident ${k}`, nature: null, dataCategories: null, subjectCategories: null, approxSubjects: null, approxRecords: null, likelyConsequences: null, measures: null };
    for (const c of over) {
      const noticeId = breachNoticeId(incidentId, c.id);
      add({ type: typeNamed('breach-notice'), id: noticeId, commands: [{ type: 'OpenBreachNotice', data: { noticeId, incidentId, contractId: c.id, awareAt: iso(detected + 120_000), target: 'PT24H', content, openedAt: iso(detected + 182_000) } }] }, c.id);
    }
  }

  // Sub-processor changes, each announced to a thousand contracts, with their notices.
  for (let k = 0; k * 1000 < contracts.length; k++) {
    const over = contracts.slice(k * 1000, (k + 1) * 1000);
    const changeId = randomUUID();
    const announced = now - (k + 1) * 86_400_000;
    const location = { id: `bench-rbx-${k}`, name: `OVH RBX-${k}`, kind: 'backup', site: 'Roubaix, France' };
    const announce = { changeId, kind: 'addition', subProcessor: { name: 'OVH (OVHcloud)', role: 'Backup datacenter', country: 'France' }, location, replaces: null, effectiveAt: iso(announced + 31 * 86_400_000), objectionPeriod: 'P30D', announcedAt: iso(announced), knownLocations: [] as string[] };
    const change = typeNamed('sub-processor-change');
    const controllers = new Set(over.map((c) => controllerIdentity(c.controller)));
    add({ type: change, id: changeId, commands: [{ type: 'AnnounceSubProcessorChange', data: announce }, { type: 'RecordNoticesOpened', data: { contracts: over.length, controllers: controllers.size, digest: digestOf(over.map((c) => c.id)), actedAt: iso(announced + 5_000) } }] }, null);
    // The change as its announcement recorded it, for the notices (each carries it).
    const recorded = change.stream.decide({ type: 'AnnounceSubProcessorChange', data: announce }, change.stream.initialState()) as { data: unknown }[];
    for (const c of over) {
      const noticeId = subProcessorNoticeId(changeId, c.id);
      add({ type: typeNamed('sub-processor-notice'), id: noticeId, commands: [{ type: 'OpenSubProcessorNotice', data: { noticeId, contractId: c.id, change: recorded[0]!.data, openedAt: iso(announced + 5_000) } }] }, c.id);
    }
  }

  // Each controller's record and its contact check, as the engine keeps them.
  const byController = new Map<string, number>();
  for (const c of contracts) byController.set(controllerIdentity(c.controller), (byController.get(controllerIdentity(c.controller)) ?? 0) + 1);
  [...byController].forEach(([identity, count], i) => {
    const recordId = controllerRecordId(identity);
    const controller = { id: recordId, identity };
    const ctx = (id: string) => ({ id, contractId: null, contract: null, controller, recordedAt: iso(now - 86_400_000) });
    add({ type: typeNamed('controller'), id: recordId, commands: [declared('controller', 'set', { locale: i % 2 ? 'fr' : 'en', timeZone: 'Europe/Paris' }, ctx(recordId))] }, null);
    const checkId = controllerFileId('contact-check', identity);
    add({ type: typeNamed('contact-check'), id: checkId, commands: [declared('contact-check', 'note', { contracts: count, countedAt: iso(now - 86_400_000), contact: `privacy-${i}@bench.example`, period: 'P90D', backfill: false }, ctx(checkId))] }, null);
  });

  // The roster: one person per fifty contracts, cleared, and authorised on them.
  for (let k = 0; k * 50 < contracts.length; k++) {
    const id = randomUUID();
    const ctx = (contractId: string | null) => ({ id, contractId, contract: null, recordedAt: iso(now - 86_400_000) });
    const commands = [
      declared('staff', 'register', { name: `Person ${k}`, email: `person-${k}@processor.example` }, ctx(null)),
      declared('staff', 'signConfidentiality', { signedAt: iso(now - 300 * 86_400_000) }, ctx(null)),
      // A training a year long, done at various times: some lapse within the month, the dashboard's list.
      declared('staff', 'recordTraining', { completedAt: iso(now - (300 + (k % 60)) * 86_400_000), course: 'GDPR for operators' }, ctx(null)),
      ...contracts.slice(k * 50, (k + 1) * 50).map((c) => declared('staff', 'authorise', { staffId: id }, ctx(c.id))),
    ];
    add({ type: typeNamed('staff'), id, commands }, null);
  }

  add({ type: typeNamed('processor-dpo'), id: PROCESSOR_DPO_ID, commands: [{ type: 'SetDpo', data: { name: 'Bench DPO', email: 'dpo@processor.example', phone: null, source: 'configuration', recordedAt: iso(now - 86_400_000) } }] }, null);

  const unseeded = FILE_TYPES.filter((t) => t.name !== 'contract' && !seeds.some((s) => s.type === t)).map((t) => t.name);
  if (unseeded.length) throw new Error(`bench: no file seeded of ${unseeded.join(', ')}; seed-files.ts writes one of every type the registry lists`);

  const written = await measure(seeds.length, concurrency, async (n) => {
    const { type, id, commands } = seeds[n]!;
    let state = type.stream.initialState();
    const events: { type: string }[] = [];
    for (const command of commands) {
      for (const e of type.stream.decide(command, state) as { type: string }[]) {
        state = type.stream.evolve(state, e);
        events.push(e);
      }
    }
    await store.append(type.name, id, 0, toNewEvents(type.stream, events, { actor: 'bench' }));
  });
  const counts = new Map<string, number>();
  for (const s of seeds) counts.set(s.type.name, (counts.get(s.type.name) ?? 0) + 1);
  return { counts, seconds: written.seconds, sample };
}

