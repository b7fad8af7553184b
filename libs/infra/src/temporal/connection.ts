import { type DataConverter } from '@temporalio/client';
import { type AppConfig } from '../config/config';
import { EncryptionCodec } from './payload-codec';

/** The data converter every client and worker must share: payloads are always encrypted. */
export function dataConverter(config: Pick<AppConfig, 'payloadKeys'>): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(config.payloadKeys)] };
}
