import { createHash } from 'node:crypto';
import { Controller, Get, Inject, Injectable, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { zipSync } from 'fflate';
import { DataSource } from 'typeorm';
import { authorisationsOn, CONTRACT_FILE_TYPES, processingRecord, type StaffState } from '#domain';
import { type AppConfig } from '#infra/config/config';
import { type EventStore, type RecordedEvent } from '#infra/event-store/event-store';
import { readCurrentDpo } from '#infra/event-store/processor-dpo-projection';
import { createEventStore } from '#infra/event-store/streams';
import { EvidenceSigner } from '#infra/evidence/signing';
import { VERIFIER_SOURCE } from '#infra/evidence/verifier-source';
import { Public, Roles } from '../auth/roles.decorator';
import { idParamSchema } from '../common/fields';
import { ErrorResponses } from '../common/openapi';
import { APP_CONFIG } from '../config/config.module';
import { ContractIdPipe } from '../contracts/contract-id.pipe';
import { ContractQueries } from '../contracts/contract-queries.service';

/** The file tables under a contract whose streams the pack carries (each row is the contract's own file). */
const CONTRACT_FILE_TABLES = CONTRACT_FILE_TYPES.map((t) => t.readModel.table);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

/** One event as the pack carries it: everything its hash covers, and the hashes. */
const line = (e: RecordedEvent) =>
  JSON.stringify({ streamId: e.streamId, version: e.version, eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, occurredAt: e.occurredAt, recordedAt: e.recordedAt, data: e.data, metadata: e.metadata, prevHash: e.prevHash, hash: e.hash });

/**
 * DESIGN §6 `GET /contracts/{id}/evidence`: a ZIP a DPO can hand an auditor — the contract's record
 * of processing, every event of the contract and of each of its files (one JSON object a line,
 * with its hashes), who was authorised on it, the destruction certificate, an offline verifier,
 * and a manifest of every file's sha256 signed with the processor's Ed25519 key. Nothing about
 * another client: the streams are the contract's own, the roster only as this contract's lines.
 */
@Injectable()
export class EvidencePacks {
  private readonly store: EventStore;
  readonly signer: EvidenceSigner;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ContractQueries) private readonly contracts: ContractQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.store = createEventStore(dataSource);
    this.signer = new EvidenceSigner(config.evidenceSigningKeys);
  }

  async pack(contractId: string): Promise<{ zip: Uint8Array; filename: string }> {
    const { state } = await this.contracts.found(contractId);
    const generatedAt = new Date().toISOString();
    const files = new Map<string, Uint8Array>();

    const c = this.config.processor;
    const dpo = await readCurrentDpo(this.dataSource, { name: c.dpoName, email: c.dpoEmail, phone: c.dpoPhone });
    files.set('processing-record.json', json({ ...processingRecord(state), processorDpo: dpo }));

    const streams: { type: string; id: string }[] = [{ type: 'contract', id: contractId }];
    for (const table of CONTRACT_FILE_TABLES) {
      const rows = (await this.dataSource.query(`SELECT f.id::text AS id, s.stream_type AS type FROM ${table} f JOIN streams s ON s.stream_id = f.id::text WHERE f.contract_id = $1 ORDER BY f.id`, [contractId])) as { id: string; type: string }[];
      streams.push(...rows);
    }
    for (const s of streams) {
      const events = await this.store.readStream(s.id);
      files.set(`streams/${s.type}-${s.id}.jsonl`, Buffer.from(events.map((e) => `${line(e)}\n`).join('')));
    }

    const staff = (await this.dataSource.query(`SELECT state FROM staff WHERE state->'assignments' @> $1::jsonb ORDER BY received_at, id`, [JSON.stringify([{ contractId }])])) as { state: StaffState }[];
    files.set('authorised-persons.json', json(staff.flatMap((r) => authorisationsOn(r.state, contractId, generatedAt))));
    if (state.status === 'destroyed' && state.destruction.certificate) files.set('destruction-certificate.json', json(state.destruction.certificate));
    files.set('verify.mjs', Buffer.from(VERIFIER_SOURCE));
    files.set(
      'README.txt',
      Buffer.from(
        `Evidence pack of contract ${contractId}, generated ${generatedAt}.\n\n` +
          `manifest.json lists every file with its sha256; manifest.sig is its Ed25519 signature (key ${this.signer.activeKid}, published at /.well-known/dpa-signing-keys).\n` +
          `streams/ holds every event of the contract and of each of its files, one JSON object a line, each with the hash that chains it to the one before.\n\n` +
          `To verify, offline, with Node.js 18 or later and nothing else:\n  node verify.mjs . --key dpa-signing-keys.json\n`,
      ),
    );

    const manifest = {
      contractId,
      generatedAt,
      hashChain: 'sha256 over the RFC 8785 canonical JSON of {streamId, version, eventId, type, schemaVersion, occurredAt, data, metadata, prevHash}; the first prevHash is 64 zeros',
      files: [...files.entries()].map(([path, bytes]) => ({ path, sha256: sha256(bytes), bytes: bytes.length })),
      signature: { alg: 'EdDSA', kid: this.signer.activeKid, publicKey: (({ kty, crv, x }) => ({ kty, crv, x }))(this.signer.publicKey(this.signer.activeKid)) },
    };
    const manifestBytes = json(manifest);
    files.set('manifest.json', manifestBytes);
    files.set('manifest.sig', Buffer.from(`${this.signer.sign(manifestBytes)}\n`));
    const zip = zipSync(Object.fromEntries([...files.entries()].map(([p, b]) => [p, [b, { mtime: new Date(generatedAt) }]])), { level: 6 });
    return { zip, filename: `evidence-${state.status === 'none' ? contractId : (state.reference ?? contractId)}-${generatedAt.slice(0, 10)}.zip`.replace(/[^A-Za-z0-9._-]/g, '_') };
  }
}

@ApiTags('registers')
@ApiBearerAuth()
@Controller('contracts/:id/evidence')
export class EvidenceController {
  constructor(@Inject(EvidencePacks) private readonly packs: EvidencePacks) {}

  @Get()
  @Roles('dpo', 'admin')
  @ApiParam({ name: 'id', schema: idParamSchema, description: 'Contract id' })
  @ApiOperation({ summary: "The contract's evidence pack (ZIP): its record of processing, every event of it and of its files with their hashes, its authorised persons, its certificate, an offline verifier; the manifest signed with Ed25519." })
  @ApiOkResponse({ description: 'The ZIP.', content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } } })
  @ErrorResponses(400, 401, 403, 404)
  async get(@Param('id', ContractIdPipe) id: string, @Res() res: Response): Promise<void> {
    const { zip, filename } = await this.packs.pack(id);
    res.setHeader('content-type', 'application/zip');
    res.setHeader('content-disposition', `attachment; filename="${filename}"`);
    res.send(Buffer.from(zip));
  }
}

/** The public half of every signing key, retired ones included: what an auditor verifies a pack with. */
@ApiTags('registers')
@Public()
@Controller('.well-known/dpa-signing-keys')
export class SigningKeysController {
  constructor(@Inject(EvidencePacks) private readonly packs: EvidencePacks) {}

  @Get()
  @ApiOperation({ summary: 'The evidence packs\' Ed25519 public keys as a JWKS (RFC 7517), retired ones included (status).' })
  @ApiOkResponse({ description: 'The JWKS.', schema: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object', properties: { kty: { type: 'string' }, crv: { type: 'string' }, x: { type: 'string' }, kid: { type: 'string' }, use: { type: 'string' }, alg: { type: 'string' }, status: { type: 'string', enum: ['active', 'retired'] } } } } } } })
  jwks() {
    return this.packs.signer.jwks();
  }
}
