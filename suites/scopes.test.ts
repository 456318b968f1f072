/** Scope and access matrix: every endpoint against every configured key; foreign, unknown and non-integer projects; conversation ownership. */
import { contracts } from '../src/contracts.js';
import { scopeCases } from '../src/families/scopes.js';
import { planTarget } from '../src/plan-target.js';
import { registerCases, settings } from '../src/vitest.js';

const target = await planTarget(settings);
registerCases(contracts().flatMap((c) => scopeCases(c, target)));
