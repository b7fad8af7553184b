import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

export class ErrorDetail {
  @ApiProperty({ example: 'renewal.gap', description: 'Stable, machine-readable.' }) code!: string;
  @ApiProperty({ example: 'renewal covers … but the term ends …: a gap is not allowed' }) message!: string;
  @ApiProperty({ required: false, description: 'Field problems (400) or the rule\'s data (422).' }) details?: unknown;
}

export class ErrorBodyView {
  @ApiProperty({ type: ErrorDetail }) error!: ErrorDetail;
}

const MEANINGS: Record<number, string> = {
  400: 'Malformed: invalid JSON, unknown or invalid fields (details lists each field problem).',
  401: 'No API key, or an unknown or revoked one.',
  403: 'The key\'s role may not do this.',
  404: 'No such contract (or resource).',
  409: 'The contract is in the wrong state for this command (the domain\'s code says which).',
  413: 'The body is larger than API_BODY_LIMIT.',
  422: 'Well-formed, but refused by a rule (the domain\'s code says which).',
};

/** Documents the error answers a route can give, all in the DESIGN §6 shape. */
export const ErrorResponses = (...statuses: number[]) =>
  applyDecorators(...statuses.map((status) => ApiResponse({ status, description: MEANINGS[status], type: ErrorBodyView })));
