/**
 * A streaming exchange: the request goes out with fetch, the body is read as it
 * arrives by SseReader (eventsource-parser framing), under the deadlines of the
 * configuration. Nothing here sleeps; callers wait on events with deadlines.
 */
import { SseReader, type SseEnd, type SseEvent } from './sse.js';
import { authLabel, bodyText, buildUrl, requestHeaders, type Exchange, type RequestSpec } from './http.js';
import type { Deadlines } from './config.js';

export interface ObservedEvent { event: string; data: string; at: number; json?: unknown; jsonError?: string }

export interface StreamObservation {
  events: ObservedEvent[];
  end: SseEnd | 'headers-deadline' | 'not-read';
  endedAt: number;                 // ms since the request was sent
  headersAt?: number;
  firstEventAt?: number;
  comments: number;
  trailing: boolean;
  error?: string;
}

export interface OpenStream {
  exchange: Exchange;              // response filled once headers arrive; stream filled when done
  reader?: SseReader;
  /** ms since the request was sent, on the same clock as event times */
  now(): number;
  waitFor(pred: (e: SseEvent) => boolean, timeoutMs: number): Promise<SseEvent | undefined>;
  done: Promise<Exchange>;
  abort(): void;
}

function observe(e: SseEvent, offset: number): ObservedEvent {
  const o: ObservedEvent = { event: e.event, data: e.data, at: Math.round(e.at + offset) };
  try {
    o.json = JSON.parse(e.data);
  } catch (err) {
    o.jsonError = (err as Error).message;
  }
  return o;
}

/** Open a streaming request. Resolves when the headers arrive (or fail); never throws. */
export async function openStream(base: string, spec: RequestSpec, d: Deadlines, label: string): Promise<OpenStream> {
  // DRF negotiates content before the view runs: the conversation viewset has only a JSON renderer, so a
  // bare `Accept: text/event-stream` may be refused with 406 (posthog-contract.md E4); offer JSON too
  const headers = { ...requestHeaders(spec, base), Accept: 'text/event-stream, application/json;q=0.9, */*;q=0.8' };
  const body = bodyText(spec);
  const url = buildUrl(base, spec);
  const exchange: Exchange = { label, request: { method: spec.method.toUpperCase(), url, headers, body, auth: authLabel(spec.auth) } };
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const controller = new AbortController();
  const headersTimer = setTimeout(() => controller.abort(new Error('headers deadline')), d.headersMs);
  let res: Response;
  try {
    res = await fetch(url, { method: exchange.request.method, headers, body, signal: controller.signal, redirect: 'manual' });
  } catch (e) {
    clearTimeout(headersTimer);
    const timedOut = controller.signal.aborted;
    exchange.error = timedOut ? `no response headers within ${d.headersMs} ms` : `${(e as any)?.cause?.code ?? 'error'}: ${(e as Error).message}`;
    exchange.stream = { events: [], end: timedOut ? 'headers-deadline' : 'error', endedAt: Math.round(now()), comments: 0, trailing: false, error: exchange.error };
    return { exchange, now, waitFor: async () => undefined, done: Promise.resolve(exchange), abort() {} };
  }
  clearTimeout(headersTimer);
  const headersAt = now();
  const resHeaders: Record<string, string> = {};
  res.headers.forEach((v, k) => { resHeaders[k.toLowerCase()] = v; });
  exchange.response = { status: res.status, headers: resHeaders, text: '', ms: Math.round(headersAt) };
  if (!res.body) {
    exchange.stream = { events: [], end: 'closed', endedAt: Math.round(now()), headersAt: Math.round(headersAt), comments: 0, trailing: false };
    return { exchange, now, waitFor: async () => undefined, done: Promise.resolve(exchange), abort() {} };
  }
  const reader = new SseReader(res.body, { firstEventMs: d.firstEventMs, gapMs: d.gapMs, totalMs: d.totalMs });
  const offset = headersAt; // reader times count from its creation, right after the headers
  const done = reader.done.then((r) => {
    exchange.response!.text = r.text;
    const events = r.events.map((e) => observe(e, offset));
    exchange.stream = {
      events, end: r.end, endedAt: Math.round(r.endedAt + offset), headersAt: Math.round(headersAt),
      firstEventAt: events[0]?.at, comments: r.comments.length, trailing: r.trailing, error: r.error,
    };
    if (!controller.signal.aborted && r.end !== 'closed') controller.abort(new Error(r.end));
    return exchange;
  });
  return {
    exchange, reader, now, done,
    waitFor: (pred, timeoutMs) => reader.waitFor(pred, timeoutMs),
    abort: () => { reader.abort(); controller.abort(new Error('aborted')); },
  };
}
