import { type DataSource } from 'typeorm';
import { CONTROLLER_IDENTITY_SQL } from '#infra/controllers';
import { wordsFor, type Words } from '#infra/i18n';
import { type Notice } from './notices';

/**
 * DESIGN §8: the words of the controller an email is about — its record's locale and time zone,
 * found by the contract the notice names (or by the controller's key, for its contact check), read
 * when the email is worded. A controller with no record, or an email to no controller, is in English
 * and UTC.
 */
export async function wordsOf(dataSource: DataSource, notice: Notice): Promise<Words> {
  const key = notice.kind === 'contact-check' ? notice.key : null;
  const contractId = !key && 'contractId' in notice ? notice.contractId : null;
  if (!key && !contractId) return wordsFor();
  const [row] = (await dataSource.query(
    key
      ? `SELECT state->>'locale' AS locale, state->>'timeZone' AS time_zone FROM controllers WHERE identity = $1`
      : `SELECT r.state->>'locale' AS locale, r.state->>'timeZone' AS time_zone FROM contracts c JOIN controllers r ON r.identity = ${CONTROLLER_IDENTITY_SQL('c')} WHERE c.id = $1`,
    [key ?? contractId],
  )) as { locale: string | null; time_zone: string | null }[];
  return wordsFor({ locale: row?.locale, timeZone: row?.time_zone });
}
