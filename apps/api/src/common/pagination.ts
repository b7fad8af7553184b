import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { ApiError } from './api-error';
import { QueryInteger } from './fields';

const Integer = 'integer';

/** The cursor and page size every list takes (DESIGN §6: `limit` defaults to 50, max 500). */
export class PageQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page.', minLength: 1, maxLength: 400, pattern: '^[A-Za-z0-9_-]+$' })
  @IsOptional()
  @IsString()
  @Length(1, 400)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be a nextCursor this API returned' })
  cursor?: string;

  @ApiPropertyOptional({ type: Integer, default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export const DEFAULT_PAGE = 50;

/** A page of `limit` out of rows fetched with `limit + 1`: the extra row says whether more follow. */
export function toPage<R, T>(rows: readonly R[], limit: number, item: (row: R) => T, cursorOf: (last: R) => readonly unknown[]): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(item), nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify(cursorOf(last))).toString('base64url') : null };
}

/**
 * The fields of a cursor this API wrote, each checked by `parse` (which returns null for anything
 * it did not write): nothing else reaches SQL.
 */
export function readCursor<C>(raw: string, parse: (fields: unknown[]) => C | null): C {
  let parsed: C | null = null;
  try {
    const fields: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString());
    if (Array.isArray(fields)) parsed = parse(fields);
  } catch {
    // Falls through to the refusal.
  }
  if (parsed === null) throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this API returned.');
  return parsed;
}
