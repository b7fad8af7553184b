import { contractPage } from './staff/contract-page';
import { contracts } from './staff/contracts';
import { controllers } from './staff/controllers';
import { dashboard } from './staff/dashboard';
import { fileForms } from './staff/file-forms';
import { inbox } from './staff/inbox';
import { incidents } from './staff/incidents';
import { integrations } from './staff/integrations';
import { layout } from './staff/layout';
import { registers } from './staff/registers';
import { roster } from './staff/roster';
import { signIn } from './staff/sign-in';
import { subProcessors } from './staff/sub-processors';
import { trail } from './staff/trail';

/**
 * The staff UI's words, in English only for now (a French staff UI is not built yet): one section
 * per group of pages, each a flat map of key to text, {{name}} for a variable. The pages read them
 * through `staffWords(section)` (apps/api/src/ui/words.ts), whose keys the compiler checks.
 */
export const staff = { layout, signIn, dashboard, inbox, contracts, contractPage, trail, fileForms, incidents, subProcessors, registers, roster, controllers, integrations };
