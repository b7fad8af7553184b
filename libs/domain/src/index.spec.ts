import { describe, expect, it } from 'vitest';
import * as domain from './index';

describe('the public barrel', () => {
  it('exposes the decider, the calendar, the catalog and the views', () => {
    for (const name of ['decide', 'evolve', 'fold', 'initialState', 'contractDecider', 'upcast', 'nextTimer', 'upcomingDeadlines', 'commandAvailability', 'toRepresentation', 'processingRecord', 'narrowCatalog', 'addDuration', 'parseInstant', 'parseDuration', 'isDomainError', 'domainErrorFrom', 'DomainError', 'EVENT_SCHEMA_VERSIONS', 'CONTRACT_EVENT_TYPES']) {
      expect(domain, name).toHaveProperty(name);
    }
  });
});
