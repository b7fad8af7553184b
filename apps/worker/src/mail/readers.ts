import { type DataSource } from 'typeorm';
import { preferencesOf } from '#infra/controllers';
import { wordsFor, type Words } from '#infra/i18n';
import { type Notice } from './notices';

/**
 * DESIGN §8: the words of the controller an email is about — its record's locale and time zone,
 * found by the contract the notice names (or by the controller's key, for its contact check), read
 * when the email is worded. A controller with no record, or an email to no controller, is in English
 * and UTC.
 */
export async function wordsOf(dataSource: DataSource, notice: Notice): Promise<Words> {
  if (notice.kind === 'contact-check') return wordsFor(await preferencesOf(dataSource, { identity: notice.key }));
  return 'contractId' in notice ? wordsFor(await preferencesOf(dataSource, { contractId: notice.contractId })) : wordsFor();
}
