/** The check families: each turns one contract into its cases. A suite file registers one family. */
import type { Contract } from '../contracts.js';
import type { Target } from '../config.js';
import type { Family } from '../rules.js';
import type { CaseDef } from '../runner.js';
import { statusCases } from './status.js';
import { scopeCases } from './scopes.js';
import { streamingCases } from './streaming.js';
import { paginationCases } from './pagination.js';

/** A family plans cases from a contract and the target's configuration (keys, session, foreign project). */
export type FamilyPlanner = (c: Contract, t: PlanTarget) => CaseDef[];
/** What planning may look at: the configuration, never the network. */
export type PlanTarget = Pick<Target, 'keys' | 'foreignProjectId' | 'sessionCookie' | 'secondUserKey'>;

export const families: Partial<Record<Family, FamilyPlanner>> = {
  status: (c) => statusCases(c),
  scopes: scopeCases,
  streaming: (c) => streamingCases(c),
  pagination: (c) => paginationCases(c),
};

export function planCases(contracts: Contract[], t: PlanTarget, only?: Family[]): CaseDef[] {
  const out: CaseDef[] = [];
  for (const [name, plan] of Object.entries(families) as [Family, FamilyPlanner][]) {
    if (only && !only.includes(name)) continue;
    for (const c of contracts) out.push(...plan(c, t));
  }
  return out;
}
