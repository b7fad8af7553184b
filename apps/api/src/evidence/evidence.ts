import { createHash } from 'node:crypto';
import { Controller, Get, Header, Inject, Injectable, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { zipSync } from 'fflate';
import { DataSource } from 'typeorm';
import { authorisationsOn, CONTRACT_FILE_TYPES, processingRecord, type ContractState, type StaffState } from '#domain';
import { type AppConfig } from '#infra/config/config';
import { type EventStore, type RecordedEvent } from '#infra/event-store/event-store';
import { readCurrentDpo } from '#infra/event-store/processor-dpo-projection';
import { createEventStore } from '#infra/event-store/streams';
import { certificatePdf } from '#infra/evidence/certificate-pdf';
import { preferencesOf } from '#infra/controllers';
import { wordsFor } from '#infra/i18n';
import { EvidenceSigner } from '#infra/evidence/signing';
import { publishedVerifier } from '#infra/evidence/verifier-source';
import { ApiError } from '../common/api-error';
import { Public, Roles } from '../auth/roles.decorator';
import { idParamSchema } from '../common/fields';
import { ErrorResponses } from '../common/openapi';
import { APP_CONFIG } from '../config/config.module';
import { ContractIdPipe } from '../contracts/contract-id.pipe';
import { ContractQueries } from '../contracts/contract-queries.service';

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
    this.signer = new EvidenceSigner(config.evidenceSigningKeys, config.evidenceKeyWindows);
  }

  /** Where the processor publishes its keys and the verifier: never the pack. */
  get wellKnown(): { keys: string; verifier: string; pem: (kid: string) => string } {
    const base = `${this.config.links.baseUrl}/.well-known`;
    return { keys: `${base}/dpa-signing-keys`, verifier: `${base}/dpa-verify.mjs`, pem: (kid) => `${base}/dpa-signing-keys/${encodeURIComponent(kid)}.pem` };
  }

  /**
   * The destruction certificate for a person to read, with the key that signs packs now and where
   * to verify; null until every location is destroyed. The signed JSON stays the evidence.
   */
  async certificatePdf(state: ContractState): Promise<Buffer | null> {
    if (state.status === 'none' || !state.destruction.certificate) return null;
    const certificate = state.destruction.certificate;
    const kid = this.signer.activeKid;
    // The controller's certificate, in its language and time zone (DESIGN §8).
    const words = wordsFor(await preferencesOf(this.dataSource, { contractId: state.contractId }));
    return certificatePdf({
      words,
      certificate,
      contractId: state.contractId,
      reference: state.reference,
      controllerName: state.controller.name,
      signingKey: { kid, thumbprint: this.signer.thumbprint(kid) },
      keysUrl: this.wellKnown.keys,
      verifierUrl: this.wellKnown.verifier,
    });
  }

  /** The contract's signed pack; `forController`: as its controller downloads it, without the files hidden from it (FileType.hiddenFromController). */
  async pack(contractId: string, options: { forController?: boolean } = {}): Promise<{ zip: Uint8Array; filename: string }> {
    const { state } = await this.contracts.found(contractId);
    const generatedAt = new Date().toISOString();
    // A pack dated before its key's window would fail every verification: refuse to make it.
    if (!this.signer.activeAt(generatedAt)) throw new ApiError(503, 'signing_key_not_active', `The active signing key ${this.signer.activeKid} is not active yet (see EVIDENCE_SIGNING_KEY_WINDOWS).`);
    const files = new Map<string, Uint8Array>();

    const c = this.config.processor;
    const dpo = await readCurrentDpo(this.dataSource, { name: c.dpoName, email: c.dpoEmail, phone: c.dpoPhone });
    files.set('processing-record.json', json({ ...processingRecord(state), processorDpo: dpo }));

    const streams: { type: string; id: string }[] = [{ type: 'contract', id: contractId }];
    for (const fileType of CONTRACT_FILE_TYPES) {
      const rows = (await this.dataSource.query(`SELECT f.id::text AS id, s.stream_type AS type, f.state FROM ${fileType.readModel.table} f JOIN streams s ON s.stream_id = f.id::text WHERE f.contract_id = $1 ORDER BY f.id`, [contractId])) as {
        id: string;
        type: string;
        state: unknown;
      }[];
      streams.push(...rows.filter((r) => !(options.forController && fileType.hiddenFromController?.(r.state as never))).map(({ id, type }) => ({ id, type })));
    }
    for (const s of streams) {
      const events = await this.store.readStream(s.id);
      files.set(`streams/${s.type}-${s.id}.jsonl`, Buffer.from(events.map((e) => `${line(e)}\n`).join('')));
    }

    const staff = (await this.dataSource.query(`SELECT state FROM staff WHERE state->'assignments' @> $1::jsonb ORDER BY received_at, id`, [JSON.stringify([{ contractId }])])) as { state: StaffState }[];
    files.set('authorised-persons.json', json(staff.flatMap((r) => authorisationsOn(r.state, contractId, generatedAt))));
    if (state.status === 'destroyed' && state.destruction.certificate) {
      files.set('destruction-certificate.json', json(state.destruction.certificate));
      files.set('destruction-certificate.pdf', (await this.certificatePdf(state))!);
    }
    const verifier = publishedVerifier();
    files.set('verify.mjs', verifier.bytes);
    const kid = this.signer.activeKid;
    const thumbprint = this.signer.thumbprint(kid);
    files.set('README.txt', Buffer.from(readme({ contractId, generatedAt, kid, thumbprint, verifierSha256: verifier.sha256, urls: this.wellKnown })));

    const manifest = {
      contractId,
      generatedAt,
      hashChain: 'sha256 over the RFC 8785 canonical JSON of {streamId, version, eventId, type, schemaVersion, occurredAt, data, metadata, prevHash}; the first prevHash is 64 zeros',
      files: [...files.entries()].map(([path, bytes]) => ({ path, sha256: sha256(bytes), bytes: bytes.length })),
      signature: { alg: 'EdDSA', kid, thumbprint, keys: this.wellKnown.keys },
      verifier: { url: this.wellKnown.verifier, sha256: verifier.sha256 },
    };
    const manifestBytes = json(manifest);
    files.set('manifest.json', manifestBytes);
    files.set('manifest.sig', Buffer.from(`${this.signer.sign(manifestBytes)}\n`));
    // The same hashes in sha256sum's format, signed too: checked with sha256sum and openssl alone.
    const sums = Buffer.from([...manifest.files.map((f) => `${f.sha256}  ${f.path}\n`), `${sha256(manifestBytes)}  manifest.json\n`].join(''));
    files.set('SHA256SUMS', sums);
    files.set('SHA256SUMS.sig', Buffer.from(`${this.signer.sign(sums)}\n`));
    const zip = zipSync(Object.fromEntries([...files.entries()].map(([p, b]) => [p, [b, { mtime: new Date(generatedAt) }]])), { level: 6 });
    return { zip, filename: `evidence-${state.status === 'none' ? contractId : (state.reference ?? contractId)}-${generatedAt.slice(0, 10)}.zip`.replace(/[^A-Za-z0-9._-]/g, '_') };
  }
}

/** The pack's README: what it holds, and how to check it without trusting anything in it. */
function readme(p: { contractId: string; generatedAt: string; kid: string; thumbprint: string; verifierSha256: string; urls: EvidencePacks['wellKnown'] }): string {
  return `Evidence pack of contract ${p.contractId}, generated ${p.generatedAt}.

WHAT IT HOLDS
  processing-record.json    the contract's record of processing, with the processor's DPO
  streams/*.jsonl           every event of the contract and of each of its files, one JSON object a
                            line, each with the hash that chains it to the one before
  authorised-persons.json   who was authorised on the contract, with their clearance
  destruction-certificate.json   once the data is destroyed: the certificate, signed with the rest
  destruction-certificate.pdf    the same for a person to read (the JSON is the evidence)
  manifest.json             every file above with its sha256; manifest.sig is its Ed25519 signature
  SHA256SUMS                the same hashes, and the manifest's, in sha256sum's format;
                            SHA256SUMS.sig is its Ed25519 signature
  verify.mjs                a copy of the verifier, for convenience only (see below)

Signed with key ${p.kid}, whose RFC 7638 thumbprint is
  ${p.thumbprint}

TRUST NOTHING IN THIS PACK TO CHECK THIS PACK
Anyone who can change the pack can change its verify.mjs too. Fetch the keys and the verifier from
the processor, never from the pack:
  keys      ${p.urls.keys}
            (and, for openssl, ${p.urls.pem(p.kid)})
  verifier  ${p.urls.verifier}
            sha256 ${p.verifierSha256}
            (also ${p.urls.verifier}.sha256, and the dpa-verify command of the engine's repository)
Check that the verifier you fetched has that sha256, then run it on the ZIP as you received it (it
reads the ZIP itself: an entry the manifest does not list, a duplicate name, a path with .. or an
absolute path fails verification):
  sha256sum dpa-verify.mjs
  node dpa-verify.mjs evidence.zip --key dpa-signing-keys.json        (Node.js 18 or later)

WITH STANDARD TOOLS ALONE
A verifier served by the processor proves nothing against the processor itself. sha256sum and
openssl (3.0 or later) check the signature of SHA256SUMS and every hash without it. Keep the key
outside the folder the pack is unzipped into (a pack could carry a key of its own), and take it
from the processor (curl -f fails rather than leave an old file in place):
  mkdir keys && curl -fsS -o keys/${p.kid}.pem ${p.urls.pem(p.kid)}
  mkdir pack && cd pack && unzip ../evidence.zip
  openssl base64 -d -A -in SHA256SUMS.sig -out ../SHA256SUMS.sig.bin
  openssl pkeyutl -verify -pubin -inkey ../keys/${p.kid}.pem -rawin -in SHA256SUMS -sigfile ../SHA256SUMS.sig.bin
  sha256sum --strict -c SHA256SUMS
  unzip -Z1 ../evidence.zip | sort > ../entries
  { cut -c67- SHA256SUMS; printf 'SHA256SUMS\nSHA256SUMS.sig\nmanifest.sig\n'; } | sort | diff - ../entries
openssl must print "Signature Verified Successfully", sha256sum must say OK for every line, and
diff must print nothing (no entry beyond the listed ones). SHA256SUMS lists manifest.json too, so
the manifest is covered. What these tools leave to the verifier: the key's window, the hash chains
inside streams/ (each line's hash is the sha256 of its RFC 8785 canonical JSON), and the ZIP's own
structure (unzip tools differ on odd archives; the verifier refuses them).

KEY WINDOWS
Each published key has a window, activeFrom to retiredAt. A pack dated (manifest.json's
generatedAt) outside its key's window fails, and so does a pack holding an event that occurred
after its date (five minutes' leeway). Together: a retired key that leaked cannot vouch for anything
that happened after it was retired — a pack it signs is either dated after its window, or dated
inside it and unable to hold a later event. They cannot protect against the processor itself
backdating a pack with a key it still holds: only copies of a pack kept by others since its date
can show that.
`;
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

/**
 * What an auditor checks a pack with, published by the processor apart from any pack: the public
 * half of every signing key with its window (retired ones included), each also as PEM for openssl,
 * and the verifier with its sha256.
 */
@ApiTags('registers')
@Public()
@Controller('.well-known')
export class SigningKeysController {
  constructor(@Inject(EvidencePacks) private readonly packs: EvidencePacks) {}

  @Get('dpa-signing-keys')
  @ApiOperation({ summary: "The evidence packs' Ed25519 public keys as a JWKS (RFC 7517), retired ones included, each with its window (activeFrom, retiredAt); `verifier` names the published verifier and its sha256." })
  @ApiOkResponse({
    description: 'The JWKS.',
    schema: {
      type: 'object',
      properties: {
        keys: { type: 'array', items: { type: 'object', properties: { kty: { type: 'string' }, crv: { type: 'string' }, x: { type: 'string' }, kid: { type: 'string' }, use: { type: 'string' }, alg: { type: 'string' }, status: { type: 'string', enum: ['active', 'retired'] }, activeFrom: { type: 'string', format: 'date-time' }, retiredAt: { type: 'string', format: 'date-time', nullable: true } } } },
        verifier: { type: 'object', properties: { url: { type: 'string' }, sha256: { type: 'string' } } },
      },
    },
  })
  jwks() {
    return { ...this.packs.signer.jwks(), verifier: { url: this.packs.wellKnown.verifier, sha256: publishedVerifier().sha256 } };
  }

  @Get('dpa-signing-keys/:kid.pem')
  @ApiParam({ name: 'kid', schema: { type: 'string', maxLength: 200 }, description: 'Key id' })
  @ApiOperation({ summary: 'One signing key\'s public half as PEM (SPKI), for `openssl pkeyutl -verify`.' })
  @ApiOkResponse({ description: 'The PEM.', content: { 'application/x-pem-file': { schema: { type: 'string' } } } })
  @ErrorResponses(404)
  pem(@Param('kid') kid: string, @Res() res: Response): void {
    if (!this.packs.signer.has(kid)) throw new ApiError(404, 'not_found', 'No such signing key.');
    res.type('application/x-pem-file').send(this.packs.signer.publicKeyPem(kid));
  }

  @Get('dpa-verify.mjs')
  @ApiOperation({ summary: 'The published evidence-pack verifier (Node.js 18+, no dependency): the bytes of the engine\'s `dpa-verify` command; its sha256 is in the JWKS and at dpa-verify.mjs.sha256.' })
  @ApiOkResponse({ description: 'The verifier.', content: { 'text/javascript': { schema: { type: 'string' } } } })
  verifier(@Res() res: Response): void {
    const v = publishedVerifier();
    res.setHeader('repr-digest', `sha-256=:${Buffer.from(v.sha256, 'hex').toString('base64')}:`);
    res.type('text/javascript; charset=utf-8').send(v.bytes);
  }

  @Get('dpa-verify.mjs.sha256')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'The verifier\'s sha256, as `sha256sum -c` reads it.' })
  @ApiOkResponse({ description: 'One sha256sum line.', content: { 'text/plain': { schema: { type: 'string' } } } })
  verifierSha256(): string {
    return `${publishedVerifier().sha256}  dpa-verify.mjs\n`;
  }
}
