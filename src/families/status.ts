/**
 * The status family, generic over the contracts: success status, content type
 * and body; 401s; 404 on unknown ids; the contract's invalid variants; wrong
 * methods; documented-vs-actual divergences (informational).
 */
import { unknownIds, type Contract } from '../contracts.js';
import { isUnsafe, type Auth, type RequestSpec } from '../http.js';
import { SkipCase, type CaseContext } from '../harness.js';
import type { CaseDef } from '../runner.js';
import { applyPatch, applyQueryPatch } from '../../fixtures/index.js';
import * as rules from '../checks/status.js';

/** A token no target issues; shaped like a personal API key. */
export const INVALID_KEY = 'phx_posthog_contract_invalid_key_0000'; // shaped like a key, never issued (and not mistaken for a real one by secret scanners)

async function specFor(c: Contract, ctx: CaseContext, auth: Auth, path?: string): Promise<RequestSpec> {
  const built = ctx.h.validRequest(c, ctx);
  return { method: c.method, path: path ?? (await ctx.h.path(c, ctx)), query: built.query, body: built.body, auth };
}

export function statusCases(c: Contract): CaseDef[] {
  const id = (variant: string) => `${c.id}/status/${variant}`;
  const writes = isUnsafe(c.method);
  const base = { endpoint: c.id, family: 'status' as const, writes };
  const success = async (ctx: CaseContext) => ({ c, ex: await ctx.h.successExchange(c, ctx) });
  const cases: CaseDef[] = [
    { ...base, id: id('success'), variant: 'success', title: `a valid ${c.method} answers ${c.success.status}`, rule: rules.success, observe: success },
    { ...base, id: id('success-content-type'), variant: 'success-content-type', title: c.success.contentType ? `the success is ${c.success.contentType}` : `the ${c.success.status} has no body`, rule: rules.contentType, observe: success },
  ];
  if (c.success.schema) {
    cases.push({ ...base, id: id('success-schema'), variant: 'success-schema', title: 'the success body validates against its schema', rule: rules.bodySchema, observe: success });
  }
  if (c.success.echo?.length) {
    cases.push({ ...base, id: id('success-echoes-request'), variant: 'success-echoes-request', title: `the created object carries back ${c.success.echo.join(', ')}`, rule: rules.echoes, observe: success });
  }
  if (c.listing) cases.push(...listingCases(c, base, id));
  cases.push(
    {
      ...base, id: id('no-credentials'), variant: 'no-credentials', title: 'no credentials answers 401', rule: rules.noCredentials,
      observe: async (ctx) => ({ c, ex: await ctx.send(await specFor(c, ctx, { kind: 'none' }, await ctx.h.path(c, ctx, unknownIds(c))), 'a request without credentials') }),
    },
    {
      ...base, id: id('invalid-key'), variant: 'invalid-key', title: 'an invalid key answers 401', rule: rules.invalidKey,
      observe: async (ctx) => ({ c, ex: await ctx.send(await specFor(c, ctx, { kind: 'bearer', token: INVALID_KEY, label: 'an invalid personal API key' }, await ctx.h.path(c, ctx, unknownIds(c))), 'a request with an invalid key') }),
    },
  );
  for (const [name, p] of Object.entries(c.pathParams)) {
    if (p.unknown === undefined) continue;
    cases.push({
      ...base, id: id(`unknown-${name.replace(/_/g, '-')}`), variant: `unknown-${name}`, title: `an unknown ${name} answers 404`, rule: rules.unknownId,
      observe: async (ctx) => ({ c, ex: await ctx.send(await specFor(c, ctx, ctx.h.successAuth(c), await ctx.h.path(c, ctx, { [name]: p.unknown! })), `a request for an unknown ${name}`) }),
    });
  }
  for (const v of c.invalid) {
    const observe = (ctx: CaseContext) => ctx.shared(`invalid:${c.id}:${v.variant}`, async (sub) => {
      const built = ctx.h.validRequest(c, sub);
      const spec: RequestSpec = {
        method: c.method, path: await ctx.h.path(c, sub), auth: ctx.h.successAuth(c),
        query: applyQueryPatch(built.query, v.query), body: built.body && applyPatch(built.body, v.body),
      };
      return { c, variant: v, ex: await sub.send(spec, `an invalid request: ${v.title}`) };
    });
    cases.push(
      { ...base, id: id(`invalid-${v.variant}`), variant: `invalid-${v.variant}`, title: `${v.title} (${v.expect.status})`, rule: rules.invalidStatus, observe },
      { ...base, id: id(`invalid-${v.variant}-body`), variant: `invalid-${v.variant}-body`, title: `${v.title}: the error body says why`, rule: rules.invalidBody, observe },
    );
  }
  const wrong = c.methodNotAllowed;
  const wrongSpec = async (ctx: CaseContext, auth: Auth): Promise<RequestSpec> => ({ method: wrong, path: await ctx.h.refusalPath(c, ctx), body: {}, auth });
  cases.push(
    {
      ...base, writes: isUnsafe(wrong), id: id('method-not-allowed-session'), variant: 'method-not-allowed-session', title: `${wrong} through the session answers 405`, rule: rules.methodSession,
      observe: async (ctx) => ({ c, ex: await ctx.send(await wrongSpec(ctx, ctx.h.session), `${wrong}, a method the path lacks, through the session`) }),
    },
    {
      ...base, writes: isUnsafe(wrong), id: id('method-not-allowed-key'), variant: 'method-not-allowed-key', title: `${wrong} with a key is refused (403 or 405)`, rule: rules.methodKey,
      observe: async (ctx) => ({ c, ex: await ctx.send(await wrongSpec(ctx, ctx.h.star), `${wrong}, a method the path lacks, with the * key`) }),
    },
  );
  for (const d of c.divergences) {
    cases.push({
      ...base, id: id(`divergence-${d.about}`), variant: `divergence-${d.about}`, title: `docs: ${d.documented}; code: ${d.actual}`.slice(0, 150), rule: rules.divergence,
      observe: async (ctx) => ({ c, divergence: d, ex: await ctx.h.successExchange(c, ctx) }),
    });
  }
  return cases;
}

/** A create endpoint with a `listing`: what it creates is listed, what it creates hidden is not. */
function listingCases(c: Contract, base: Omit<CaseDef, 'id' | 'variant' | 'title' | 'rule' | 'observe'>, id: (v: string) => string): CaseDef[] {
  const L = c.listing!;
  /** The list, large enough to hold what this run made (ordered any way: we look for an id). */
  const listIds = async (ctx: CaseContext) => {
    const list = ctx.h.contract(L.list);
    const ex = await ctx.send({ method: 'GET', path: await ctx.h.path(list, ctx), query: [['limit', '1000']], auth: ctx.h.star }, `list to find the created object`);
    const key = list.pagination!.key!;
    return { ex, ids: ((ex.json as { results?: Record<string, unknown>[] } | undefined)?.results ?? []).map((r) => r[key]) };
  };
  const createdId = (ex: import('../http.js').Exchange, ctx: CaseContext) => {
    if (ex.response?.status !== c.success.status) throw new SkipCase(`the create did not succeed (${ex.response?.status ?? ex.error}); see ${c.id}/status/success`);
    return (ex.json as Record<string, unknown>)[ctx.h.contract(L.list).pagination!.key!];
  };
  const cases: CaseDef[] = [{
    ...base, id: id('created-is-listed'), variant: 'created-is-listed', title: `what ${c.id} creates appears in ${L.list}`, rule: rules.createdListed,
    observe: async (ctx) => {
      const created = await ctx.h.successExchange(c, ctx);
      const itemId = createdId(created, ctx);
      const { ex, ids } = await listIds(ctx);
      return { c, created, list: ex, ids, id: itemId };
    },
  }];
  for (const hidden of L.hidden ?? []) {
    cases.push({
      ...base, id: id(`created-${hidden.variant}-not-listed`), variant: `created-${hidden.variant}-not-listed`, title: `created with ${JSON.stringify(hidden.set)}, it is not listed`, rule: rules.hiddenNotListed,
      observe: async (ctx) => {
        const built = ctx.h.validRequest(c, ctx, hidden.variant);
        const created = await ctx.send({ method: c.method, path: await ctx.h.path(c, ctx), query: built.query, body: { ...built.body, ...hidden.set }, auth: ctx.h.star }, `create with ${JSON.stringify(hidden.set)}`);
        ctx.h.noteCreated(c, created);
        const itemId = createdId(created, ctx);
        const { ex, ids } = await listIds(ctx);
        return { c, created, list: ex, ids, id: itemId };
      },
    });
  }
  return cases;
}
