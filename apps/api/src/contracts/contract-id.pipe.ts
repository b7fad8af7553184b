import { Injectable, type PipeTransform } from '@nestjs/common';
import { FIELDS, isUuid, TEXT_PROBLEMS, textProblem } from '#domain';
import { ApiError } from '../common/api-error';

/** An id in a path is a UUID (DESIGN §6), read in the lowercase form the engine stores; anything else is a malformed request. */
export class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}

  transform(value: string): string {
    if (!isUuid(value)) throw new ApiError(400, 'invalid_id', `The ${this.what} must be a UUID.`);
    return value.toLowerCase();
  }
}

@Injectable()
export class ContractIdPipe extends UuidPipe {
  constructor() {
    super('contract id');
  }
}

/** An invoice id in a path: the text rules of FIELDS.invoiceId, as in a body. */
@Injectable()
export class InvoiceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const problem = textProblem(value, FIELDS.invoiceId);
    if (problem) throw new ApiError(400, 'invalid_invoice_id', `The ${TEXT_PROBLEMS[problem]('invoice id', FIELDS.invoiceId)}.`);
    return value;
  }
}
