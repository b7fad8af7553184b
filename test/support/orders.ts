import { type OrderContract } from '#domain';
import { type EngineSettings } from '#infra/temporal/messages';

/** The engine settings test workflows run with. */
export const TEST_SETTINGS: EngineSettings = { escalationMargin: 'P7D' };

/** A test order: monthly, full catalog, Acme as controller, unless `data` says otherwise. */
export function orderData(contractId: string, orderedAt: string, data: Partial<OrderContract['data']> = {}): OrderContract['data'] {
  return {
    contractId,
    reference: null,
    controller: { customerId: null, name: 'Acme SAS', email: 'privacy@acme.example', address: '1 rue de la Paix, 75002 Paris', dpoEmail: null },
    billingPeriod: 'P1M',
    catalog: null,
    returnWindow: null,
    renewalGracePeriod: null,
    orderedAt,
    ...data,
  };
}
