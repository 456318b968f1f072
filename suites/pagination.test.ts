/** Pagination: DRF limit/offset envelopes, page sizes, a walk over next links, links, bad parameters and order; unpaginated lists are bare arrays. */
import { describe } from 'vitest';
import { contracts } from '../src/contracts.js';
import { paginationCases } from '../src/families/pagination.js';
import { registerCases } from '../src/vitest.js';

describe.each(contracts().filter((c) => c.pagination))('$id', (c) => registerCases(paginationCases(c)));
