/**
 * The scope and access matrix, generic over the contracts: every endpoint
 * against every configured key (expected outcome computed by expectedAccess),
 * foreign / unknown / non-integer projects, and the own-only conversation rules
 * when a second user's key is configured.
 */
import { unknownIds, type Contract } from '../contracts.js';
import type { KeySpec } from '../config.js';
import { isUnsafe, type Auth, type RequestSpec } from '../http.js';
import { SkipCase, type CaseContext } from '../harness.js';
import type { CaseDef } from '../runner.js';
import type { PlanTarget } from './index.js';
import * as rules from '../checks/scopes.js';
import { applyPatch } from '../../fixtures/index.js';

const UNKNOWN_PROJECT = '2147483600';

/**
 * The request a key sends to show it is let in. Contracts that create
 * conversations (an AI run each) are probed with their first invalid body
 * instead: reaching validation (400) proves the key passed the permission checks.
 */
function probe(c: Contract): { variant?: Contract['invalid'][number]; status: number } {
  if (c.creates === 'conversation') {
    const v = c.invalid.find((x) => x.body && x.expect.type === 'validation_error');
    if (v) return { variant: v, status: v.expect.status };
  }
  return { status: c.success.status };
}

async function accessSpec(c: Contract, ctx: CaseContext, auth: Auth, allowed: boolean): Promise<RequestSpec> {
  const h = ctx.h;
  const built = h.validRequest(c, ctx);
  const p = probe(c);
  const body = allowed && built.body ? applyPatch(built.body, p.variant?.body) : built.body;
  // allowed keys need real resources; refused ones get real ids where they exist (never created), else unknown ids
  const path = allowed ? await h.path(c, ctx) : await h.refusalPath(c, ctx);
  return { method: c.method, path, query: built.query, body, auth };
}

function keyCases(c: Contract, k: KeySpec): CaseDef[] {
  const access = rules.expectedAccess(c.scope, k.scopes);
  const base = { endpoint: c.id, family: 'scopes' as const, key: k.label, writes: isUnsafe(c.method) };
  const id = `${c.id}/scopes/${k.label}-${access.allowed ? 'allowed' : 'refused'}`;
  const expectStatus = access.allowed ? probe(c).status : 403;
  const observe = (ctx: CaseContext) => ctx.shared(`access:${c.id}:${k.label}`, async (sub) => {
    const spec = await accessSpec(c, sub, { kind: 'key', key: k }, access.allowed);
    const ex = await sub.send(spec, `${c.method} with the ${k.label} key (${access.allowed ? 'holds the scope' : 'lacks the scope'})`);
    ctx.h.noteCreated(c, ex);
    return { c, ex, expectStatus, access };
  });
  if (access.allowed) {
    const rule = access.why === 'write-implies-read' ? rules.writeImpliesRead : c.scope === 'INTERNAL' ? rules.internalStar : rules.allowed;
    const how = expectStatus === c.success.status ? `${expectStatus}` : `${expectStatus}: reaches validation`;
    return [{ ...base, id, variant: `${k.label}-allowed`, title: `the ${k.label} key is let in (${how})`, rule, observe }];
  }
  const rule = access.why === 'no-scope-action' ? rules.noScopeAction : access.why === 'internal' ? rules.internalRefused : rules.missingScope;
  return [
    { ...base, id, variant: `${k.label}-refused`, title: `the ${k.label} key gets 403`, rule, observe },
    { ...base, id: `${id}-message`, variant: `${k.label}-refused-message`, title: `the ${k.label} key's 403 says "${access.message}"`.slice(0, 150), rule: rules.refusalMessage, observe },
  ];
}

function projectCases(c: Contract, t: PlanTarget): CaseDef[] {
  const base = { endpoint: c.id, family: 'scopes' as const, writes: isUnsafe(c.method) };
  const send = (project: string, label: string, auth: (ctx: CaseContext) => Auth) => async (ctx: CaseContext) => {
    const built = ctx.h.validRequest(c, ctx);
    const ex = await ctx.send({ method: c.method, path: await ctx.h.path(c, ctx, unknownIds(c, project)), query: built.query, body: built.body, auth: auth(ctx) }, label);
    return { c, ex, foreignProjectId: t.foreignProjectId };
  };
  const cases: CaseDef[] = [
    { ...base, id: `${c.id}/scopes/unknown-project`, variant: 'unknown-project', title: 'an unknown project id answers 404', rule: rules.unknownProject, observe: send(UNKNOWN_PROJECT, 'a request for an unknown project', (ctx) => ctx.h.successAuth(c)) },
    { ...base, id: `${c.id}/scopes/non-integer-project`, variant: 'non-integer-project', title: 'a non-integer project id answers 404', rule: rules.nonIntegerProject, observe: send('not-a-project', 'a request for a non-integer project id', (ctx) => ctx.h.successAuth(c)) },
  ];
  const foreignAuths: { label: string; auth: (ctx: CaseContext) => Auth }[] = [
    ...t.keys.map((k) => ({ label: k.label, auth: () => ({ kind: 'key', key: k }) as Auth })),
    ...(c.scope === null ? [{ label: 'session', auth: (ctx: CaseContext) => ctx.h.session }] : []),
  ];
  for (const a of foreignAuths) {
    cases.push({
      ...base, key: a.label, id: `${c.id}/scopes/${a.label}-foreign-project`, variant: `${a.label}-foreign-project`, title: `the ${a.label} credential cannot reach the foreign project`, rule: rules.foreignRefused,
      observe: async (ctx) => {
        if (!t.foreignProjectId) throw new SkipCase('no foreign project configured (CONTRACT_FOREIGN_PROJECT_ID)');
        return send(t.foreignProjectId, `a request for the foreign project with ${a.label}`, a.auth)(ctx);
      },
    });
  }
  return cases;
}

/** Conversation ownership: only when a second user's key is configured; data-driven by path sources. */
function ownerCases(c: Contract, t: PlanTarget): CaseDef[] {
  const conv = Object.entries(c.pathParams).find(([, p]) => p.source === 'conversation' || p.source === 'own-conversation');
  const isList = c.pagination?.provides === 'conversation';
  if (!conv && !isList) return [];
  const base = { endpoint: c.id, family: 'scopes' as const, writes: isUnsafe(c.method), key: 'second-user' };
  const need = () => { if (!t.secondUserKey) throw new SkipCase('no second user configured (CONTRACT_SECOND_USER_KEY)'); };
  const second: KeySpec = { key: t.secondUserKey ?? '', scopes: ['*'], label: 'second-user' };
  const listPath = (ctx: CaseContext) => {
    const list = ctx.h.contracts.find((x) => x.pagination?.provides === 'conversation')!;
    return { list, path: list.path.replace('{project_id}', encodeURIComponent(ctx.h.target.projectId)) };
  };
  /** The first user's titled conversations, from their own list. */
  const ownIds = (ctx: CaseContext) => ctx.shared('own-conversations', async (sub) => {
    const { list, path } = listPath(sub);
    const ex = await sub.send({ method: 'GET', path, query: [['limit', '1000']], auth: ctx.h.star }, "the first user's own conversations");
    return { ex, ids: ((ex.json as any)?.results ?? []).map((r: any) => r[list.pagination!.key!]) as string[] };
  });
  /**
   * The teammate's titled conversations, from their own list, less any the first
   * user's list also shows (so a server that leaks lists cannot make us act on
   * the first user's own conversation; owner.list-own-only reports the leak).
   */
  const teammateIds = (ctx: CaseContext) => ctx.shared('teammate-conversations', async (sub) => {
    const { list, path } = listPath(sub);
    const ex = await sub.send({ method: 'GET', path, query: [['limit', '1000']], auth: { kind: 'key', key: second } }, "the second user's own conversations");
    const all = ((ex.json as any)?.results ?? []).map((r: any) => r[list.pagination!.key!]) as string[];
    if (!all.length) throw new SkipCase('the second user has no titled conversation on the target');
    return all;
  });
  const teammateOnly = async (ctx: CaseContext) => {
    const own = new Set((await ownIds(ctx)).ids);
    const ids = (await teammateIds(ctx)).filter((id) => !own.has(id));
    if (!ids.length) throw new SkipCase("every conversation in the second user's list is also in the first user's list; none is surely the teammate's");
    return ids;
  };
  if (isList) {
    return [{
      ...base, id: `${c.id}/scopes/teammate-conversations-hidden`, variant: 'teammate-conversations-hidden', title: "the list does not show a teammate's conversations", rule: rules.listOwnOnly,
      observe: async (ctx) => {
        need();
        const foreign = await teammateIds(ctx);
        const { ex, ids } = await ownIds(ctx);
        return { c, ex, ids, foreign };
      },
    }];
  }
  const [param, p] = conv!;
  const own = p.source === 'own-conversation';
  return [{
    ...base, id: `${c.id}/scopes/teammate-conversation-${own ? '404' : 'allowed'}`, variant: `teammate-conversation-${own ? '404' : 'allowed'}`,
    title: own ? `${c.method} on a teammate's conversation answers 404` : "a teammate's titled conversation is retrieved",
    rule: own ? rules.notOwn404 : rules.teammateRetrieve,
    observe: async (ctx) => {
      need();
      const [teammate] = await teammateOnly(ctx);
      const built = ctx.h.validRequest(c, ctx);
      const ex = await ctx.send({ method: c.method, path: await ctx.h.path(c, ctx, { [param]: teammate }), query: built.query, body: built.body, auth: ctx.h.successAuth(c) }, `${c.method} on a teammate's conversation`);
      return { c, ex };
    },
  }];
}

export function scopeCases(c: Contract, t: PlanTarget): CaseDef[] {
  return [...t.keys.flatMap((k) => keyCases(c, k)), ...projectCases(c, t), ...ownerCases(c, t)];
}
