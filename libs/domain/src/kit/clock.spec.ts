import { describe, expect, it } from 'vitest';
import { isLate, isLateBefore, isOverdue, isOverdueBefore } from './clock';

describe('lateness, one rule for every clock (DESIGN §3.9)', () => {
  const due = '2027-03-15T17:00:00.000Z';

  it('is overdue only once the instant has passed', () => {
    expect(isOverdue(due, '2027-03-15T16:59:59.999Z')).toBe(false);
    expect(isOverdue(due, due)).toBe(false);
    expect(isOverdue(due, '2027-03-15T17:00:00.001Z')).toBe(true);
  });

  it('is late only when done after the instant, so done at the instant is on time', () => {
    expect(isLate(due, '2027-03-14T00:00:00.000Z')).toBe(false);
    expect(isLate(due, due)).toBe(false);
    expect(isLate(due, '2027-03-16T09:00:00.000Z')).toBe(true);
  });

  it('what must happen before an instant is already too late at the instant itself', () => {
    expect(isOverdueBefore(due, '2027-03-15T16:59:59.999Z')).toBe(false);
    expect(isOverdueBefore(due, due)).toBe(true);
    expect(isLateBefore(due, '2027-03-15T16:59:59.999Z')).toBe(false);
    expect(isLateBefore(due, due)).toBe(true);
  });

  it('compares instants, not strings: another offset of the same instant is the same instant', () => {
    expect(isOverdue(due, '2027-03-15T18:00:00.000+01:00')).toBe(false);
    expect(isLate(due, '2027-03-15T18:00:00.001+01:00')).toBe(true);
  });
});
