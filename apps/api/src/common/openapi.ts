import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

export class FieldProblemView {
  @ApiProperty({ example: 'controller.email', description: 'The field, as a dotted path into the body or the query.' }) field!: string;
  @ApiProperty({ example: 'controller.email must be an email address' }) problem!: string;
}

export class ErrorDetailsView {
  @ApiProperty({ required: false, type: [FieldProblemView], description: 'Each field problem of a 400 `validation_failed`.' }) fields?: FieldProblemView[];
}

export class ErrorDetail {
  @ApiProperty({ example: 'renewal.gap', description: 'Stable, machine-readable.' }) code!: string;
  @ApiProperty({ example: 'renewal covers … but the term ends …: a gap is not allowed' }) message!: string;
  @ApiProperty({
    required: false,
    type: ErrorDetailsView,
    description: 'Always an object: `fields` for a 400 `validation_failed`, the rule\'s data for a refusal (409, 422), `down` for /health.',
  })
  details?: ErrorDetailsView;
}

export class ErrorBodyView {
  @ApiProperty({ type: ErrorDetail }) error!: ErrorDetail;
}

const MEANINGS: Record<number, string> = {
  400: 'Malformed: invalid JSON, unknown or invalid fields (details.fields lists each field problem).',
  401: 'No API key, or an unknown or revoked one.',
  403: 'The key\'s role may not do this.',
  404: 'No such contract (or resource).',
  409: 'The contract is in the wrong state for this command (the domain\'s code says which).',
  413: 'The body is larger than API_BODY_LIMIT.',
  422: 'Well-formed, but refused by a rule (the domain\'s code says which), or an Idempotency-Key already used for another request (idempotency_key_reused).',
};

/** Documents the error answers a route can give, all in the DESIGN §6 shape. */
export const ErrorResponses = (...statuses: number[]) =>
  applyDecorators(...statuses.map((status) => ApiResponse({ status, description: MEANINGS[status], type: ErrorBodyView })));

type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; allOf?: Schema[]; additionalProperties?: unknown; type?: string };
interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

/**
 * Every schema a request body uses, and every object schema under it, gets
 * `additionalProperties: false`: the validation pipe refuses unknown fields (400), and the
 * document says so. A schema that declares its own `additionalProperties` (a map) keeps it.
 */
export function closeRequestSchemas<D>(document: D): D {
  const doc = document as unknown as OpenApiDocument;
  const schemas = doc.components?.schemas ?? {};
  const seen = new Set<Schema>();
  const close = (schema: Schema | undefined): void => {
    if (!schema || seen.has(schema)) return;
    seen.add(schema);
    if (schema.$ref) return close(schemas[schema.$ref.replace('#/components/schemas/', '')]);
    if (schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
    for (const property of Object.values(schema.properties ?? {})) close(property);
    close(schema.items);
    for (const part of schema.allOf ?? []) close(part);
  };
  for (const operations of Object.values(doc.paths)) {
    for (const operation of Object.values(operations)) {
      for (const media of Object.values(operation.requestBody?.content ?? {})) close(media.schema);
    }
  }
  return document;
}

/**
 * Every operation's `default` response is the error shape: the edge answers statuses no route
 * lists (405, 413, 414, 415, 431, 503 …) in that same shape.
 */
export function documentDefaultErrors<D>(document: D): D {
  const doc = document as unknown as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>; components?: { schemas?: Record<string, Record<string, unknown>> } };
  // `details` is open: a rule's refusal carries that rule's own data beside any `fields`.
  const details = doc.components?.schemas?.['ErrorDetailsView'];
  if (details) details['additionalProperties'] = true;
  for (const operations of Object.values(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      operation.responses ??= {};
      // Every POST takes an Idempotency-Key, and one reused for another request is a 422 on any of them.
      if (method === 'post') {
        operation.responses['422'] ??= {
          description: MEANINGS[422],
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBodyView' } } },
        };
      }
      operation.responses['default'] ??= {
        description: 'Any other error (405, 413, 414, 415, 431, 503 …), in the same shape.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBodyView' } } },
      };
    }
  }
  return document;
}
