/** Status family: documented statuses, content types and bodies, 401/404/400/405, for every contract. */
import { contracts } from '../src/contracts.js';
import { statusCases } from '../src/families/status.js';
import { registerCases } from '../src/vitest.js';

registerCases(contracts().flatMap((c) => statusCases(c)));
