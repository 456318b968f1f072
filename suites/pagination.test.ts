/** Pagination: DRF limit/offset envelopes, page sizes, a walk over next links, links, bad parameters and order; unpaginated lists are bare arrays. */
import { contracts } from '../src/contracts.js';
import { paginationCases } from '../src/families/pagination.js';
import { registerCases } from '../src/vitest.js';

registerCases(contracts().filter((c) => c.pagination).flatMap((c) => paginationCases(c)));
