/**
 * Streaming rules (posthog-contract.md E4-E7): the conversation SSE stream read
 * event by event against deadlines, and the conversation lifecycle around it.
 */
import { validate, type Contract } from '../contracts.js';
import type { Exchange } from '../http.js';
import type { Deadlines } from '../config.js';
import { defineRule, type Finding } from '../rules.js';
import { noResponse, statusIs, contentTypeIs } from './common.js';

export interface StreamInput { c: Contract; ex: Exchange; d: Deadlines; requestBody?: Record<string, unknown> }

const E4 = 'posthog-contract.md#E4';
const events = (ex: Exchange) => ex.stream?.events ?? [];

/** Precondition: event rules only look at a stream that was opened (status and type are the status family's). */
const onStream = (f: (i: StreamInput) => Finding[]) => (i: StreamInput): Finding[] => {
  if (!i.ex.response) return noResponse(i.ex);
  if (!i.ex.stream) return [{ message: 'the response was not read as a stream' }];
  return f(i);
};

export const eventName = defineRule<StreamInput>({
  id: 'sse.event-name', family: 'streaming', strength: 'MUST',
  title: 'every event name is one the contract declares',
  ref: E4, quote: 'message / conversation / status / update frames (AssistantEventType; notebook and approval are allowed, unsettled)',
  check: onStream(({ c, ex }) => {
    const names = Object.keys(c.streaming!.events);
    const odd = events(ex).filter((e) => !names.includes(e.event));
    return odd.length ? [{ message: `${odd.length} event(s) with an undeclared name`, expected: names.join(' | '), actual: [...new Set(odd.map((e) => e.event))].join(', ') }] : [];
  }),
});

export const dataJson = defineRule<StreamInput>({
  id: 'sse.data-json', family: 'streaming', strength: 'MUST',
  title: 'every event carries JSON in data, in whole frames',
  ref: E4, quote: 'each frame is `event: <name>\\ndata: <json>\\n\\n`',
  check: onStream(({ ex }) => {
    const out: Finding[] = [];
    const bad = events(ex).filter((e) => e.jsonError !== undefined);
    const merged = bad.some((e) => e.data.includes('\n'));
    if (bad.length) out.push({ message: `${bad.length} event(s) whose data is not JSON${merged ? ' (multi-line data: frames without the blank line between them are merged into one)' : ''}`, expected: 'JSON', actual: bad[0].data.slice(0, 200) });
    // an unterminated frame counts only when the server closed the stream there (a deadline cut is sse.stream-ends)
    if (ex.stream!.trailing && ex.stream!.end === 'closed') out.push({ message: 'the stream ended inside a frame (no blank line after the last data)', expected: 'every frame ends with a blank line', actual: 'an unterminated frame' });
    return out;
  }),
});

export const eventSchema = defineRule<StreamInput>({
  id: 'sse.event-schema', family: 'streaming', strength: 'MUST',
  title: 'every event\'s data validates against its event schema',
  ref: E4, quote: 'message: message model, exclude_none ... conversation: ConversationMinimalSerializer(conversation).data ... status: {"type":"generation_error"} ... update: {"content","id","tool_call_id"}',
  check: onStream(({ c, ex }) => {
    const out: Finding[] = [];
    for (const e of events(ex)) {
      const schema = c.streaming!.events[e.event];
      if (!schema || e.jsonError !== undefined) continue; // other rules report those
      for (const err of validate(c, `event.${e.event}`, schema, e.json)) out.push({ message: `${e.event} event data${err.path === '/' ? '' : err.path} ${err.message}`, actual: e.data.slice(0, 200) });
    }
    return out.slice(0, 5);
  }),
});

export const requiredEvents = defineRule<StreamInput>({
  id: 'sse.required-events', family: 'streaming', strength: 'MUST',
  title: 'a new message streams a conversation event and at least one message',
  ref: E4, quote: '`conversation`: ConversationMinimalSerializer(conversation).data ... `message`: message model',
  check: onStream(({ c, ex }) => {
    const seen = new Set(events(ex).map((e) => e.event));
    const missing = c.streaming!.required.filter((n) => !seen.has(n));
    return missing.length ? [{ message: 'required events are missing', expected: c.streaming!.required.join(', '), actual: [...seen].join(', ') || '(no event)' }] : [];
  }),
});

export const echoId = defineRule<StreamInput>({
  id: 'sse.echo-id', family: 'streaming', strength: 'MUST',
  title: 'the conversation event carries the id the client sent',
  ref: E4, quote: '`conversation`: uuid, required (client-minted id; existing -> continue, unknown -> create)',
  check: onStream(({ c, ex, requestBody }) => {
    const { event, field, requestField } = c.streaming!.echo;
    const sent = requestBody?.[requestField];
    const got = events(ex).filter((e) => e.event === event).map((e) => (e.json as Record<string, unknown> | undefined)?.[field]);
    return got.includes(sent) ? [] : [{ message: `no ${event} event carries the ${requestField} the client sent`, expected: sent, actual: got.length ? got : '(no such event)' }];
  }),
});

export const incremental = defineRule<StreamInput>({
  id: 'sse.incremental', family: 'streaming', strength: 'SHOULD',
  title: 'events arrive as produced, the first within its deadline',
  ref: E4, quote: 'StreamingHttpResponse(..., content_type="text/event-stream") ... the `conversation` frame comes first (a server or proxy that buffers the stream is reported)',
  check: onStream(({ ex, d }) => {
    const s = ex.stream!;
    if (s.end === 'first-event-deadline') return [{ message: 'no event arrived within the first-event deadline', expected: `<= ${d.firstEventMs} ms`, actual: 'none' }];
    if (s.firstEventAt === undefined) return [];
    if (s.firstEventAt > d.firstEventMs) return [{ message: 'the first event came late', expected: `<= ${d.firstEventMs} ms`, actual: `${s.firstEventAt} ms` }];
    // buffered: several events, all delivered together at the very end of a stream that lasted a while
    const total = s.endedAt;
    const evs = events(ex);
    const spread = evs.length ? evs[evs.length - 1].at - evs[0].at : 0;
    if (s.end === 'closed' && evs.length >= 3 && total >= 50 && spread <= 10 && s.firstEventAt >= 0.8 * total) {
      return [{ message: 'every event arrived at the end of the stream (buffered, not streamed)', expected: 'the first event well before the end', actual: `first event at ${s.firstEventAt} ms, stream ended at ${total} ms` }];
    }
    return [];
  }),
});

export const streamEnds = defineRule<StreamInput>({
  id: 'sse.stream-ends', family: 'streaming', strength: 'MUST',
  title: 'the stream ends by itself within the stream deadline',
  ref: E4, quote: 'End: the server simply closes after the internal STREAM_STATUS complete; there is no terminal event',
  check: onStream(({ ex, d }) => {
    const s = ex.stream!;
    if (s.end === 'closed') return [];
    const why = { 'gap-deadline': `silent for more than ${d.gapMs} ms`, 'total-deadline': `still open after ${d.totalMs} ms`, 'first-event-deadline': `no event within ${d.firstEventMs} ms`, error: `failed: ${s.error}`, aborted: 'aborted', 'headers-deadline': 'no headers', 'not-read': 'not read' }[s.end];
    return [{ message: `the stream did not end by itself: ${why}`, expected: 'closed by the server', actual: s.end }];
  }),
});

export interface StepInput { c: Contract; ex: Exchange }

export const conflict409 = defineRule<StepInput>({
  id: 'sse.conflict-409', family: 'streaming', strength: 'MUST',
  title: 'a second message while the first streams gets 409',
  ref: E4, quote: 'Message sent while status != idle -> 409 Conflict("Cannot resume streaming with a new message")',
  check: ({ ex }) => statusIs(ex, 409, 'a new message during a run answers 409'),
});

export const reattach = defineRule<StepInput>({
  id: 'sse.reattach', family: 'streaming', strength: 'MUST',
  title: 'content null on a running conversation re-attaches to its stream',
  ref: E4, quote: '`content: null` on an in-progress conversation re-attaches to its running stream',
  check: ({ ex }) => {
    const s = statusIs(ex, 200, 'content null during a run answers 200');
    return s.length ? s : contentTypeIs(ex, 'text/event-stream');
  },
});

export const idleNull400 = defineRule<StepInput>({
  id: 'sse.idle-null-400', family: 'streaming', strength: 'MUST',
  title: 'content null on an idle conversation gets 400',
  ref: E4, quote: '`content` null on an idle conversation without resume_payload -> 400 "Cannot continue streaming from an idle conversation"',
  check: ({ ex }) => statusIs(ex, 400, 'content null on an idle conversation answers 400'),
});

export const cancel204 = defineRule<StepInput>({
  id: 'sse.cancel-204', family: 'streaming', strength: 'MUST',
  title: 'cancel during a stream answers 204 with an empty body',
  ref: 'posthog-contract.md#E7', quote: 'AgentExecutor.cancel_workflow sets status="canceling" ... -> 204, empty body (docs: 200 Conversation)',
  check: ({ ex }) => {
    const s = statusIs(ex, 204, 'cancel answers 204');
    if (s.length) return s;
    return ex.response!.text.length ? [{ message: 'the 204 has a body', expected: '(empty)', actual: ex.response!.text.slice(0, 200) }] : [];
  },
});

export interface CancelInput { c: Contract; stream: Exchange; cancelAnsweredAt: number; d: Deadlines }

export const cancelStops = defineRule<CancelInput>({
  id: 'sse.cancel-stops-stream', family: 'streaming', strength: 'MUST',
  title: 'the canceled stream ends soon after cancel answers',
  ref: 'posthog-contract.md#E7', quote: 'cancels the Temporal workflow -> 204 ... (the stream of the canceled run ends)',
  check: ({ stream, cancelAnsweredAt, d }) => {
    const s = stream.stream;
    if (!s) return noResponse(stream);
    if (s.end !== 'closed') return [{ message: 'the canceled stream did not close', expected: `closed within ${d.cancelMs} ms of cancel`, actual: s.end }];
    const after = s.endedAt - cancelAnsweredAt;
    return after <= d.cancelMs ? [] : [{ message: 'the stream went on after cancel', expected: `closed within ${d.cancelMs} ms of cancel`, actual: `closed ${Math.round(after)} ms after cancel answered` }];
  },
});

export const cancelLeaves = defineRule<StepInput>({
  id: 'sse.cancel-leaves-in-progress', family: 'streaming', strength: 'MUST',
  title: 'a canceled conversation is no longer in_progress',
  ref: 'posthog-contract.md#E7', quote: 'Otherwise AgentExecutor.cancel_workflow sets status="canceling" (the move back to idle happens in the workflow)',
  check: ({ ex }) => {
    const s = statusIs(ex, 200, 'the canceled conversation can be retrieved');
    if (s.length) return s;
    const status = (ex.json as { status?: string } | undefined)?.status;
    return status === 'idle' || status === 'canceling' ? [] : [{ message: 'the conversation is still running after cancel', expected: 'idle or canceling', actual: status }];
  },
});

export interface AfterInput { c: Contract; ex: Exchange; conversationId: string; messageId?: string; content?: string; listIds?: string[] }

export const retrievable = defineRule<AfterInput>({
  id: 'sse.retrieve-after', family: 'streaming', strength: 'MUST',
  title: 'the streamed conversation is then retrieved with its messages',
  ref: 'posthog-contract.md#E5', quote: 'retrieve ... 200 Conversation; messages comes from LangGraph state',
  check: ({ ex, conversationId }) => {
    const s = statusIs(ex, 200, 'the new conversation can be retrieved');
    if (s.length) return s;
    const body = ex.json as { id?: string; messages?: unknown[] } | undefined;
    if (body?.id !== conversationId) return [{ message: 'retrieve returns another conversation', expected: conversationId, actual: body?.id }];
    return (body.messages?.length ?? 0) > 0 ? [] : [{ message: 'the conversation has no messages after the stream', expected: 'at least one message', actual: body.messages }];
  },
});

export const listed = defineRule<AfterInput>({
  id: 'sse.listed-after', family: 'streaming', strength: 'MUST',
  title: 'the titled conversation then appears in the list',
  ref: 'posthog-contract.md#E3', quote: 'only the caller\'s own conversations, title IS NOT NULL ... A conversation just created by POST stays invisible until the AI gives it a title',
  check: ({ ex, conversationId, listIds = [] }) => {
    if (!ex.response) return noResponse(ex);
    return listIds.includes(conversationId) ? [] : [{ message: 'the titled conversation is not in the caller\'s list', expected: conversationId, actual: `${listIds.length} other id(s)` }];
  },
});

export const appendVisible = defineRule<AfterInput>({
  id: 'sse.append-visible', family: 'streaming', strength: 'MUST',
  title: 'an appended message is in the conversation afterwards',
  ref: 'posthog-contract.md#E6', quote: 'Appends AssistantMessage(content, id=uuid4) to the LangGraph state, with no AI run. Returns 201 {"id":"<uuid>"}',
  check: ({ ex, messageId, content }) => {
    const s = statusIs(ex, 200, 'the conversation can be retrieved after append');
    if (s.length) return s;
    const msgs = ((ex.json as { messages?: { id?: string; content?: string }[] } | undefined)?.messages ?? []);
    return msgs.some((m) => (messageId && m.id === messageId) || (content && m.content === content)) ? [] : [{ message: 'the appended message is not in the conversation', expected: { id: messageId, content }, actual: `${msgs.length} message(s), none of them it` }];
  },
});
