import { type OrderContract } from '../../libs/domain/src';
import { type ContractWorkflowInput } from '../../libs/infra/src/temporal/messages';

/** The start input of a test contract: monthly, full catalog, Acme as controller, unless `data` says otherwise. */
export function orderInput(contractId: string, orderedAt: string, data: Partial<OrderContract['data']> = {}): ContractWorkflowInput {
  return {
    contractId,
    settings: { escalationMargin: 'P7D' },
    actor: { role: 'account_manager' },
    order: {
      contractId,
      reference: null,
      controller: { name: 'Acme SAS', email: 'privacy@acme.example', address: '1 rue de la Paix, 75002 Paris', dpoEmail: null },
      billingPeriod: 'P1M',
      catalog: null,
      returnWindow: null,
      renewalGracePeriod: null,
      orderedAt,
      ...data,
    },
  };
}
