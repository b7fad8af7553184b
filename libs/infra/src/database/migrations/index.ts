import { EventStore1796000000000 } from './1796000000000-event-store';
import { ApiKeysAndIdempotency1796000001000 } from './1796000001000-api-keys-and-idempotency';
import { OutboxLeasesAndIdempotencyClaims1796000002000 } from './1796000002000-outbox-leases-and-idempotency-claims';
import { AppendPath1796000003000 } from './1796000003000-append-path';
import { RenewalHistory1796000004000 } from './1796000004000-renewal-history';
import { IdentifierCollation1796000005000 } from './1796000005000-identifier-collation';
import { DeadlinesOfEveryFile1796000006000 } from './1796000006000-deadlines-of-every-file';
import { InvoiceClaims1796000007000 } from './1796000007000-invoice-claims';
import { LighterAppends1796000008000 } from './1796000008000-lighter-appends';
import { SubjectRequests1796000009000 } from './1796000009000-subject-requests';
import { IncidentsAndEmailReceipts1796000010000 } from './1796000010000-incidents-and-email-receipts';
import { Instructions1796000011000 } from './1796000011000-instructions';
import { Registers1796000012000 } from './1796000012000-registers';
import { SubProcessorChanges1796000013000 } from './1796000013000-sub-processor-changes';
import { UiSessions1796000014000 } from './1796000014000-ui-sessions';
import { UniformFileRows1796000015000 } from './1796000015000-uniform-file-rows';
import { Controllers1796000016000 } from './1796000016000-controllers';
import { PortalSignIn1796000017000 } from './1796000017000-portal-sign-in';
import { PortalActs1796000018000 } from './1796000018000-portal-acts';
import { SubProcessorSubscribers1796000019000 } from './1796000019000-sub-processor-subscribers';
import { StripeEvents1796000020000 } from './1796000020000-stripe-events';
import { Webhooks1796000021000 } from './1796000021000-webhooks';
import { WebhookFactContract1796000022000 } from './1796000022000-webhook-fact-contract';
import { ControllerCustomerIndex1796000023000 } from './1796000023000-controller-customer-index';
import { ControllerProcessingIndex1796000024000 } from './1796000024000-controller-processing-index';

/** Every migration, in order. Listed explicitly so that sources and builds load the same set. */
export const migrations = [
  EventStore1796000000000,
  ApiKeysAndIdempotency1796000001000,
  OutboxLeasesAndIdempotencyClaims1796000002000,
  AppendPath1796000003000,
  RenewalHistory1796000004000,
  IdentifierCollation1796000005000,
  DeadlinesOfEveryFile1796000006000,
  InvoiceClaims1796000007000,
  LighterAppends1796000008000,
  SubjectRequests1796000009000,
  IncidentsAndEmailReceipts1796000010000,
  Instructions1796000011000,
  Registers1796000012000,
  SubProcessorChanges1796000013000,
  UiSessions1796000014000,
  UniformFileRows1796000015000,
  Controllers1796000016000,
  PortalSignIn1796000017000,
  PortalActs1796000018000,
  SubProcessorSubscribers1796000019000,
  StripeEvents1796000020000,
  Webhooks1796000021000,
  WebhookFactContract1796000022000,
  ControllerCustomerIndex1796000023000,
  ControllerProcessingIndex1796000024000,
];
