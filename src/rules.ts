/**
 * The rule registry. A rule is a pure function over an observation, registered
 * under a stable id with a strength and the clause it comes from:
 * MUST -> fail, SHOULD -> non-strict (fails only with --strict), INFO -> informational.
 */
export type Strength = 'MUST' | 'SHOULD' | 'INFO';
export type Family = 'status' | 'scopes' | 'pagination' | 'streaming';

export interface Finding {
  message: string;
  expected?: unknown;
  actual?: unknown;
}

export interface Rule<I = any> {
  id: string;
  family: Family;
  strength: Strength;
  title: string;           // states the fact: "an unknown id returns 404"
  ref: string;             // posthog-contract.md#E9, ...
  quote: string;           // the sentence of the contract the rule enforces
  check: (input: I) => Finding[];
}

const registry = new Map<string, Rule>();

export function defineRule<I>(rule: Rule<I>): Rule<I> {
  if (registry.has(rule.id)) throw new Error(`rule ${rule.id} defined twice`);
  if (!/^[a-z]+(\.[a-z0-9-]+)+$/.test(rule.id)) throw new Error(`rule id ${rule.id} is not of the form family.rule-name`);
  registry.set(rule.id, rule as Rule);
  return rule;
}

export function allRules(): Rule[] {
  return [...registry.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export function getRule(id: string): Rule {
  const r = registry.get(id);
  if (!r) throw new Error(`unknown rule ${id}`);
  return r;
}

/** A finding when `ok` is false; the helpers below keep checks one line each. */
export function expectThat(ok: boolean, message: string, expected?: unknown, actual?: unknown): Finding[] {
  return ok ? [] : [{ message, expected, actual }];
}
