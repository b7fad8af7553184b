import { Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError } from '../common/api-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Contract ids are UUIDs (DESIGN §6); anything else is a malformed request. */
@Injectable()
export class ContractIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw new ApiError(400, 'invalid_id', 'The contract id must be a UUID.');
    return value.toLowerCase();
  }
}

@Injectable()
export class InvoiceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (value.length < 1 || value.length > 100) throw new ApiError(400, 'invalid_invoice_id', 'The invoice id must be 1 to 100 characters.');
    return value;
  }
}
