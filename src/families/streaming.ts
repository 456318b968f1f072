/**
 * The streaming family, generic over every contract that declares streaming
 * events: one short stream read event by event (its events, deadlines, and the
 * conversation it leaves behind), and one long stream during which the suite
 * sends a second message (409), re-attaches (content null) and cancels.
 * Each stream is one AI run on a real target: this family creates exactly two
 * conversations per run (TARGET.md).
 */
import type { Contract } from '../contracts.js';
import type { RequestSpec, Exchange } from '../http.js';
import { SkipCase, type CaseContext } from '../harness.js';
import type { CaseDef } from '../runner.js';
import * as rules from '../checks/streaming.js';

/** Long enough that a real assistant (and the reference, which streams a frame per 40 characters) is still running when the suite cancels. */
const LONG_QUESTION_CHARS = 16000;

export function streamingCases(c: Contract): CaseDef[] {
  const st = c.streaming;
  if (!st) return [];
  const L = st.lifecycle;
  const param = st.conversationParam;
  const base = (endpoint: string, variant: string) => ({ id: `${endpoint}/streaming/${variant}`, endpoint, variant, family: 'streaming' as const, writes: true });
  const d = (ctx: CaseContext) => ctx.h.settings.deadlines;
  const pathOf = (ctx: CaseContext, id: string, conversation: string) =>
    ctx.h.path(ctx.h.contract(id), ctx, { [Object.keys(ctx.h.contract(id).pathParams).find((n) => n !== 'project_id')!]: conversation });

  /** A new short message, read to the end of its stream. */
  const basic = (ctx: CaseContext) => ctx.shared(`stream:basic:${c.id}`, async (sub) => {
    const built = ctx.h.validRequest(c, sub, 'basic');
    // a question of a few hundred characters: long enough that a stream held back until its end is visible (sse.incremental)
    const body: Record<string, unknown> = { ...built.body!, content: `${built.body!.content} ${sub.faker('basic-question').lorem.paragraph({ min: 6, max: 8 })}`.slice(0, 600) };
    const spec: RequestSpec = { method: c.method, path: await ctx.h.path(c, sub), query: built.query, body, auth: ctx.h.star };
    const ex = await (await sub.stream(spec, 'a new message, read as a stream')).done;
    ctx.h.noteCreated(c, ex);
    return { ex, body, id: String(body[param]) };
  });
  const basicInput = async (ctx: CaseContext) => {
    const b = await basic(ctx);
    return { c, ex: b.ex, d: d(ctx), requestBody: b.body };
  };
  /** Lifecycle cases need the short stream to have worked. */
  const afterBasic = async (ctx: CaseContext) => {
    const b = await basic(ctx);
    if (b.ex.response?.status !== c.success.status || b.ex.stream?.end !== 'closed') throw new SkipCase(`the new message's stream did not complete (status ${b.ex.response?.status ?? b.ex.error}, end ${b.ex.stream?.end}); see ${c.id}/streaming/* and ${c.id}/status/*`);
    return b;
  };
  const retrieveAfter = (ctx: CaseContext) => ctx.shared(`stream:retrieve:${c.id}`, async (sub) => {
    const b = await afterBasic(ctx);
    const ex = await sub.send({ method: 'GET', path: await pathOf(sub, L.retrieve, b.id), auth: ctx.h.star }, 'retrieve the streamed conversation');
    return { b, ex };
  });

  /** A long question: while it streams, a second message, a re-attach, and a cancel. */
  const long = (ctx: CaseContext) => ctx.shared(`stream:long:${c.id}`, async (sub) => {
    const h = ctx.h;
    const f = sub.faker('long');
    const built = h.validRequest(c, sub, 'long');
    let content = '';
    while (content.length < LONG_QUESTION_CHARS) content += `${f.lorem.paragraph()} `;
    const body: Record<string, unknown> = { ...built.body!, content: `Please answer at length (${h.settings.runId}). ${content}`.slice(0, LONG_QUESTION_CHARS) };
    const path = await h.path(c, sub);
    const s = await sub.stream({ method: c.method, path, query: built.query, body, auth: h.star }, 'a long question, read as a stream');
    h.noteCreated(c, s.exchange);
    const id = String(body[param]);
    if (s.exchange.response?.status !== c.success.status) {
      await s.done;
      throw new SkipCase(`the long question's stream did not start (status ${s.exchange.response?.status ?? s.exchange.error})`);
    }
    const first = await s.waitFor(() => true, d(ctx).firstEventMs);
    if (!first) {
      s.abort();
      throw new SkipCase('the long question\'s stream sent no event in time, so nothing can be done during it');
    }
    const second = await sub.send({ method: c.method, path, query: built.query, auth: h.star, body: { ...h.validRequest(c, sub, 'second').body, [param]: id } }, 'a second message while the first streams');
    const secondAnsweredAt = s.now();
    const re = await sub.stream({ method: c.method, path, query: built.query, auth: h.star, body: { ...h.validRequest(c, sub, 'reattach').body, [param]: id, content: null } }, 'content null while the conversation runs (re-attach)');
    const reattachAnsweredAt = s.now();
    let cancel: Exchange | undefined;
    let cancelAnsweredAt = 0;
    let noSession: string | undefined;
    try {
      const auth = h.session;
      cancel = await sub.send({ method: h.contract(L.cancel).method, path: await pathOf(sub, L.cancel, id), body: {}, auth }, 'cancel while the stream runs');
      cancelAnsweredAt = s.now();
    } catch (e) {
      if (!(e instanceof SkipCase)) throw e;
      noSession = e.reason;
      s.abort(); // without a session the run cannot be canceled: stop reading instead of waiting for it
    }
    const stream = await s.done;
    // a fast server may have finished the first run before the second message arrived: then accepting it is
    // legitimate. Judged on one clock: the first stream was already over when the second answer came back.
    const over = (t: number) => stream.stream?.end === 'closed' && (stream.stream.endedAt ?? Infinity) <= t;
    const endedBeforeSecond = over(secondAnsweredAt);
    const endedBeforeReattach = over(reattachAnsweredAt);
    re.abort();
    await re.done;
    const after = cancel ? await sub.send({ method: 'GET', path: await pathOf(sub, L.retrieve, id), auth: h.star }, 'retrieve the canceled conversation') : undefined;
    return { stream, second, endedBeforeSecond, re: re.exchange, endedBeforeReattach, cancel, cancelAnsweredAt, noSession, after };
  });
  const withCancel = async (ctx: CaseContext) => {
    const l = await long(ctx);
    if (!l.cancel) throw new SkipCase(l.noSession!);
    return l;
  };

  const cases: CaseDef[] = [
    { ...base(c.id, 'event-names'), title: 'every event name is declared by the contract', rule: rules.eventName, observe: basicInput },
    { ...base(c.id, 'event-data-json'), title: 'every event carries JSON data in whole frames', rule: rules.dataJson, observe: basicInput },
    { ...base(c.id, 'event-schemas'), title: 'every event validates against its schema', rule: rules.eventSchema, observe: basicInput },
    { ...base(c.id, 'required-events'), title: `the stream has ${st.required.join(' and ')} events`, rule: rules.requiredEvents, observe: basicInput },
    { ...base(c.id, 'echoes-conversation-id'), title: `the ${st.echo.event} event carries the client's ${st.echo.requestField}`, rule: rules.echoId, observe: basicInput },
    { ...base(c.id, 'first-event-early'), title: 'events arrive as produced, the first within its deadline', rule: rules.incremental, observe: basicInput },
    { ...base(c.id, 'stream-ends'), title: 'the stream ends by itself within the stream deadline', rule: rules.streamEnds, observe: basicInput },
    {
      ...base(L.retrieve, 'retrieved-after-stream'), title: 'the streamed conversation is retrieved with its messages', rule: rules.retrievable,
      observe: async (ctx) => { const { b, ex } = await retrieveAfter(ctx); return { c: ctx.h.contract(L.retrieve), ex, conversationId: b.id }; },
    },
    {
      ...base(L.list, 'listed-after-stream'), title: 'the titled conversation appears in the list', rule: rules.listed,
      observe: async (ctx) => {
        const { b, ex: got } = await retrieveAfter(ctx);
        if (got.response?.status !== 200 || !(got.json as { title?: string })?.title) throw new SkipCase('the streamed conversation has no title yet (only titled conversations are listed)');
        const list = ctx.h.contract(L.list);
        const ex = await ctx.send({ method: 'GET', path: await ctx.h.path(list, ctx), query: [['limit', '100']], auth: ctx.h.star }, 'list the conversations');
        const key = list.pagination?.key ?? 'id';
        return { c: list, ex, conversationId: b.id, listIds: ((ex.json as any)?.results ?? []).map((r: any) => r[key]) };
      },
    },
    {
      ...base(c.id, 'idle-null-content-400'), title: 'content null on an idle conversation answers 400', rule: rules.idleNull400,
      observe: async (ctx) => {
        const b = await afterBasic(ctx);
        const ex = await ctx.send({ method: c.method, path: await ctx.h.path(c, ctx), auth: ctx.h.star, body: { ...ctx.h.validRequest(c, ctx, 'idle').body, [param]: b.id, content: null } }, 'content null on an idle conversation');
        return { c, ex };
      },
    },
    {
      ...base(L.append, 'appended-message-visible'), title: 'an appended message is in the conversation afterwards', rule: rules.appendVisible,
      observe: async (ctx) => {
        const b = await afterBasic(ctx);
        const app = ctx.h.contract(L.append);
        const body = ctx.h.validRequest(app, ctx).body!;
        const sent = await ctx.send({ method: app.method, path: await pathOf(ctx, L.append, b.id), body, auth: ctx.h.successAuth(app) }, 'append a message');
        const ex = await ctx.send({ method: 'GET', path: await pathOf(ctx, L.retrieve, b.id), auth: ctx.h.star }, 'retrieve after append');
        return { c: app, ex, conversationId: b.id, messageId: (sent.json as { id?: string } | undefined)?.id, content: String(body.content) };
      },
    },
    {
      ...base(c.id, 'second-message-409'), title: 'a second message while the first streams answers 409', rule: rules.conflict409,
      observe: async (ctx) => {
        const l = await long(ctx);
        if (l.second.response?.status !== 409 && l.endedBeforeSecond) throw new SkipCase('the first stream was over before the second message was answered: the run may have finished, so nothing is known to conflict');
        return { c, ex: l.second };
      },
    },
    {
      ...base(c.id, 'null-content-reattaches'), title: 'content null during a run re-attaches to its stream', rule: rules.reattach,
      observe: async (ctx) => {
        const l = await long(ctx);
        if (l.re.response?.status !== 200 && l.endedBeforeReattach) throw new SkipCase('the first stream was over before the re-attach was answered: the run may have finished, so there was nothing to re-attach to');
        return { c, ex: l.re };
      },
    },
    {
      ...base(L.cancel, 'cancel-during-stream-204'), title: 'cancel during a stream answers 204, empty', rule: rules.cancel204,
      observe: async (ctx) => ({ c: ctx.h.contract(L.cancel), ex: (await withCancel(ctx)).cancel! }),
    },
    {
      ...base(L.cancel, 'cancel-stops-stream'), title: 'the canceled stream ends soon after cancel', rule: rules.cancelStops,
      observe: async (ctx) => { const l = await withCancel(ctx); return { c: ctx.h.contract(L.cancel), stream: l.stream, cancelAnsweredAt: l.cancelAnsweredAt, d: d(ctx) }; },
    },
    {
      ...base(L.cancel, 'cancel-leaves-in-progress'), title: 'a canceled conversation is no longer in_progress', rule: rules.cancelLeaves,
      observe: async (ctx) => {
        const l = await withCancel(ctx);
        if (l.after?.response?.status === 404) throw new SkipCase('the canceled conversation has no title, so retrieve cannot see it');
        return { c: ctx.h.contract(L.cancel), ex: l.after! };
      },
    },
  ];
  return cases;
}
