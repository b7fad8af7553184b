import { Module } from '@nestjs/common';
import { ContractQueries } from '../contracts/contract-queries.service';
import { EvidenceController, EvidencePacks, SigningKeysController } from './evidence';

/** DESIGN §6: a contract's evidence pack, and the public keys that verify it. */
@Module({
  controllers: [EvidenceController, SigningKeysController],
  providers: [EvidencePacks, ContractQueries],
})
export class EvidenceModule {}
