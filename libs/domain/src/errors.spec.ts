import { describe, expect, it } from 'vitest';
import { DomainError, assertNever, conflictError, domainErrorFrom, isDomainError, notFoundError, ruleError, validationError } from './errors';

describe('DomainError', () => {
  it('carries a stable code and a meaning', () => {
    const e = ruleError('renewal.gap', 'a gap is not allowed', { termEnd: '2027-02-28T00:00:00.000Z' });
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ name: 'DomainError', code: 'renewal.gap', kind: 'rule', message: 'a gap is not allowed' });
    expect(validationError('a', 'b').kind).toBe('validation');
    expect(conflictError('a', 'b').kind).toBe('conflict');
    expect(notFoundError('a', 'b').kind).toBe('not_found');
  });

  it('leaves details out when there are none', () => {
    expect('details' in conflictError('contract.destroyed', 'gone')).toBe(false);
    expect(conflictError('contract.destroyed', 'gone').toJSON()).toEqual({
      name: 'DomainError',
      code: 'contract.destroyed',
      kind: 'conflict',
      message: 'gone',
    });
  });

  it('is recognised after crossing a serialisation boundary, and rebuilt from its shape', () => {
    const original = ruleError('expiry.too_early', 'not yet', { expiresAt: '2027-02-28T00:00:00.000Z' });
    const copy: unknown = JSON.parse(JSON.stringify(original));
    expect(isDomainError(copy)).toBe(true);
    const rebuilt = domainErrorFrom(copy as Parameters<typeof domainErrorFrom>[0]);
    expect(rebuilt).toBeInstanceOf(DomainError);
    expect(rebuilt.toJSON()).toEqual(original.toJSON());
  });

  it.each([null, undefined, 'DomainError', new Error('x'), { name: 'DomainError', code: 1, kind: 'rule' }, { name: 'DomainError', code: 'x', kind: 'teapot' }])(
    'does not mistake %j for a domain error',
    (e) => expect(isDomainError(e)).toBe(false),
  );

  it('assertNever refuses what the type system said was impossible', () => {
    expect(() => assertNever('surprise' as never)).toThrow('unexpected "surprise"');
  });
});
