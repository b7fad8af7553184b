import { v5 as uuidv5 } from 'uuid';
import { FILE_TYPES, type FileType } from '#domain';
import { type InlineProjection, type ProjectionWrite } from '../event-store/inline-projection';

/*
 * DESIGN §9, events out. A fact is a status a file enters (`<type>.<status>`, from the registry:
 * each type's declared statuses), written in the append's own statement, so that no fact is lost
 * across a crash and none is told that the store did not keep; and a clock found overdue
 * (`clock.overdue`), written by the deliverer's scan of the deadlines. Subscribers choose among
 * these kinds; each fact is delivered to each subscriber of its kind, by its id.
 */

export const CLOCK_OVERDUE = 'clock.overdue';

/** Every kind an endpoint may subscribe to: each status of each file type, and a clock overdue. */
export const WEBHOOK_KINDS: readonly string[] = [...FILE_TYPES.flatMap((t) => Object.keys(t.statuses).map((status) => `${t.name}.${status}`)), CLOCK_OVERDUE];

/** Ids of facts: the same fact (a stream's version, a clock's due instant) has the same id, whoever writes it. */
const FACTS_NAMESPACE = '5b0c6f0e-93a1-4a8e-8f61-7d0b1f2c9e44';
export const factId = (key: string): string => uuidv5(key, FACTS_NAMESPACE);

/**
 * Writes a fact for each file of a type whose status changed in an append (a new file included).
 * Not a read model: a projection rebuild does not write it, so a rebuild tells nothing twice.
 */
export class StatusFacts<S extends { readonly status: string }> implements InlineProjection<S> {
  readonly name: string;
  readonly streamType: string;
  readonly handles = 'every event' as const;

  constructor(private readonly type: FileType<S>) {
    this.name = `${type.name} facts`;
    this.streamType = type.name;
  }

  writeCtes(writes: readonly ProjectionWrite<S>[], { param, appended }: { param: (value: unknown) => string; appended: string }): string[] {
    const facts = writes.flatMap((w) => {
      const status = w.state.status;
      if (status === 'none' || (w.previous !== null && w.previous.status === status)) return [];
      const own = this.type.name === 'contract';
      const contractId = own ? w.streamId : this.type.parent === 'contract' ? (this.type.parentIdOf?.(w.state) ?? null) : null;
      // A contract's own facts take its reference from its state (its row is written by this same statement).
      const contract = own ? (w.state as unknown as { reference: string | null; controller: { customerId: string | null } }) : null;
      return [
        {
          id: factId(`${this.type.name}:${w.streamId}:${w.version}`),
          kind: `${this.type.name}.${status}`,
          stream_id: w.streamId,
          stream_version: w.version,
          contract_id: contractId,
          reference: contract?.reference ?? null,
          customer_id: contract?.controller.customerId ?? null,
          facts: { status, ...(this.type.outFacts?.(w.state) ?? {}) },
        },
      ];
    });
    if (facts.length === 0) return [];
    return [
      `${this.type.name.replace(/\W/g, '_')}_facts AS (INSERT INTO webhook_facts (id, kind, stream_type, stream_id, stream_version, contract_id, reference, customer_id, facts)
         SELECT x.id, x.kind, ${param(this.type.name)}, x.stream_id, x.stream_version, x.contract_id,
                coalesce(x.reference, c.reference), coalesce(x.customer_id, c.state->'controller'->>'customerId'), x.facts
         FROM jsonb_to_recordset(${param(JSON.stringify(facts))}::jsonb) AS x(id uuid, kind text, stream_id text, stream_version integer, contract_id uuid, reference text, customer_id text, facts jsonb)
         LEFT JOIN contracts c ON c.id = x.contract_id
         WHERE x.stream_id IN (SELECT stream_id FROM ${appended})
         ON CONFLICT (id) DO NOTHING)`,
    ];
  }
}

/** The facts of every file type, written by every append (and by no rebuild). */
export const FACT_PROJECTIONS: readonly InlineProjection[] = FILE_TYPES.map((t) => new StatusFacts(t) as InlineProjection);
