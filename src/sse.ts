/**
 * Streaming `text/event-stream` reader for the contract suite.
 *
 * Reads an HTTP response body as it arrives (never assuming one chunk = one
 * event), frames it with `eventsource-parser`, stamps every event with its
 * arrival time and enforces three deadlines (first event, silence between
 * bytes, whole stream). Built for PostHog's Max AI conversation stream:
 * `event: <name>\ndata: <json>\n\n` frames, `: keepalive` comments, and a
 * server that simply closes the connection (no terminal event).
 *
 * Notes on `eventsource-parser@3` behaviour this module compensates for:
 *  - BOM: the parser only strips a BOM given as the three Latin-1 characters
 *    "\u00ef\u00bb\u00bf" (UTF-8 bytes mis-decoded); a properly decoded U+FEFF is NOT
 *    stripped and would turn the first line into an unknown field. We decode
 *    with `ignoreBOM: true` and strip one leading U+FEFF ourselves (for byte
 *    and string bodies alike).
 *  - Lone CR: a CR at the very end of a fed chunk is held back (it might be the
 *    first half of CRLF), so a frame terminated by a lone CR would only be
 *    dispatched when the *next* chunk arrives (and never, at end of stream).
 *    We append a synthetic LF after a trailing CR and drop a leading LF of the
 *    next text, which is exactly equivalent (CRLF and CR are one terminator).
 *  - Unterminated last frame: the parser keeps it silently; `reset({consume:
 *    true})` does not dispatch it or report it. We detect it by feeding "\n\n"
 *    at the end in a "probe" mode: an event dispatched by the probe is the
 *    discarded trailing frame (`trailing: true`), never an emitted event.
 *  - `id`: the parser reports only the frame's own `id:` field (it is not
 *    carried over to later frames as a browser's lastEventId would be).
 */
import { createParser, type EventSourceMessage, type EventSourceParser, type ParseError } from 'eventsource-parser';

export interface SseEvent {
  /** 'message' when the frame has no (or an empty) `event:` field */
  event: string;
  data: string;
  /** the frame's own `id:` field, if it had one */
  id?: string;
  /** ms since the reader was created (performance.now based); non-decreasing */
  at: number;
  /** 0-based position in the stream */
  index: number;
}

export interface SseDeadlines {
  /** from construction to the first event */
  firstEventMs: number;
  /** max silence between consecutive received bytes (after the first byte); comments count as bytes */
  gapMs: number;
  /** whole stream, from construction */
  totalMs: number;
}

export type SseEnd = 'closed' | 'first-event-deadline' | 'gap-deadline' | 'total-deadline' | 'aborted' | 'error';

export interface SseResult {
  events: SseEvent[];
  end: SseEnd;
  endedAt: number;
  error?: string;
  comments: string[];
  retry?: number;
  bytes: number;
  chunks: number;
  /** the raw body text received (BOM included if sent), at most 256 KiB (UTF-16 code units) kept */
  text: string;
  /** true when reading stopped with an unterminated frame holding data (not followed by a blank line); per the SSE spec it is discarded */
  trailing: boolean;
  /** Extension: parser complaints (unknown fields, invalid `retry:` values, buffer overflow), at most 100 kept. */
  parseErrors: string[];
}

export interface SseReaderOptions {
  now?: () => number;
}

export type SseBody = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>;

const TEXT_LIMIT = 256 * 1024;
const MAX_COMMENTS = 10_000;
const MAX_PARSE_ERRORS = 100;
/** Parser buffer cap (characters): a body that never sends a line/frame end cannot grow memory without bound. */
const MAX_BUFFER = 16 * 1024 * 1024;
const MAX_TIMEOUT = 2_147_483_647;

type Frame = Omit<SseEvent, 'at' | 'index'>;

interface CoreSink {
  onEvent(frame: Frame): void;
}

/** Decoding + framing shared by SseReader and parseSse. */
class SseCore {
  readonly comments: string[] = [];
  readonly parseErrors: string[] = [];
  retry: number | undefined;
  overflow: string | undefined;
  bytes = 0;
  chunks = 0;

  #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  #parser: EventSourceParser;
  #started = false;
  #swallowLf = false;
  #probing = false;
  #trailing = false;
  #ended = false;
  #text: string[] = [];
  #textLength = 0;

  readonly #sink: CoreSink;

  constructor(sink: CoreSink) {
    this.#sink = sink;
    this.#parser = createParser({
      maxBufferSize: MAX_BUFFER,
      onEvent: (m: EventSourceMessage) => {
        if (this.#probing) {
          this.#trailing = true;
          return;
        }
        const frame: Frame = { event: m.event ?? 'message', data: m.data };
        if (m.id !== undefined) frame.id = m.id;
        this.#sink.onEvent(frame);
      },
      onComment: (c: string) => {
        if (this.#probing) return; // an unterminated comment line at the end is discarded, like any incomplete line
        if (this.comments.length < MAX_COMMENTS) this.comments.push(c);
      },
      onRetry: (r: number) => {
        if (!this.#probing) this.retry = r;
      },
      onError: (e: ParseError) => {
        if (e.type === 'max-buffer-size-exceeded') {
          this.overflow = e.message;
        } else if (this.#probing) {
          return;
        }
        if (this.parseErrors.length < MAX_PARSE_ERRORS) this.parseErrors.push(e.message);
      },
    });
  }

  /** Feed one body chunk. Returns false if the chunk is of an unsupported type. */
  push(chunk: unknown): boolean {
    if (this.#ended) return true;
    this.chunks++;
    let text: string;
    if (typeof chunk === 'string') {
      this.bytes += utf8Length(chunk);
      text = chunk;
    } else if (chunk instanceof Uint8Array || ArrayBuffer.isView(chunk) || chunk instanceof ArrayBuffer) {
      const view = chunk as ArrayBufferView | ArrayBuffer;
      this.bytes += view.byteLength;
      text = this.#decoder.decode(view, { stream: true });
    } else {
      return false;
    }
    this.#feedText(text);
    return true;
  }

  /** Stop reading. `closed`: the body really ended (flush the decoder). Returns `trailing`. */
  end(closed: boolean): boolean {
    if (this.#ended) return this.#trailing;
    if (closed) this.#feedText(this.#decoder.decode());
    this.#ended = true;
    if (this.overflow === undefined) {
      this.#probing = true;
      try {
        // A pending partial line is ended by the first LF; a frame holding data is then dispatched by the
        // blank line (the first LF if the last line was complete). Such a dispatch = discarded trailing frame.
        this.#parser.feed('\n\n');
      } catch {
        /* terminated parser */
      }
      this.#probing = false;
    }
    return this.#trailing;
  }

  get text(): string {
    return this.#text.join('');
  }

  #feedText(s: string): void {
    if (s === '' || this.overflow !== undefined) return;
    this.#record(s);
    if (!this.#started) {
      this.#started = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1); // one leading BOM, per the SSE spec
      if (s === '') return;
    }
    if (this.#swallowLf) {
      this.#swallowLf = false;
      if (s.charCodeAt(0) === 10) s = s.slice(1); // second half of a CRLF whose LF we already supplied
      if (s === '') return;
    }
    if (s.charCodeAt(s.length - 1) === 13) {
      s += '\n';
      this.#swallowLf = true;
    }
    try {
      this.#parser.feed(s);
    } catch (e) {
      this.overflow ??= e instanceof Error ? e.message : String(e);
    }
  }

  #record(s: string): void {
    const room = TEXT_LIMIT - this.#textLength;
    if (room <= 0) return;
    let piece = s.length > room ? s.slice(0, room) : s;
    if (piece.length < s.length) {
      const last = piece.charCodeAt(piece.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) piece = piece.slice(0, -1); // don't keep half a surrogate pair
      this.#textLength = TEXT_LIMIT; // truncated: keep nothing more
    } else {
      this.#textLength += piece.length;
    }
    this.#text.push(piece);
  }
}

/** UTF-8 byte length of a JS string chunk (a surrogate pair split across chunks still counts 4 in total). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
  }
  return n;
}

function unrefTimer(t: unknown): void {
  (t as { unref?: () => unknown } | undefined)?.unref?.();
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

interface Waiter {
  pred: (e: SseEvent) => boolean;
  resolve: (e: SseEvent | undefined) => void;
  reject: (err: unknown) => void;
  timer?: ReturnType<typeof setTimeout>;
}

export class SseReader {
  readonly events: SseEvent[] = [];
  readonly done: Promise<SseResult>;

  #deadlines: SseDeadlines;
  #now: () => number;
  #t0: number;
  #lastAt = 0;
  #lastByteAt: number | undefined;
  #ended = false;
  #core: SseCore;
  #chunkAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = Infinity;
  #waiters = new Set<Waiter>();
  #cancel: ((reason: string) => void) | undefined;
  #resolveDone!: (r: SseResult) => void;

  constructor(body: SseBody, deadlines: SseDeadlines, opts: SseReaderOptions = {}) {
    this.#deadlines = { ...deadlines };
    this.#now = opts.now ?? (() => performance.now());
    this.#t0 = this.#now();
    this.done = new Promise<SseResult>((resolve) => {
      this.#resolveDone = resolve;
    });
    this.#core = new SseCore({
      onEvent: (frame) => {
        const e: SseEvent = { ...frame, at: this.#chunkAt, index: this.events.length };
        this.events.push(e);
        this.#notify(e);
      },
    });
    this.#schedule();
    void this.#run(body);
  }

  /** First already-received or future event matching `pred`; undefined on timeout or when the stream ends first. */
  waitFor(pred: (e: SseEvent) => boolean, timeoutMs: number): Promise<SseEvent | undefined> {
    try {
      const found = this.events.find(pred);
      if (found || this.#ended) return Promise.resolve(found);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<SseEvent | undefined>((resolve, reject) => {
      const w: Waiter = { pred, resolve, reject };
      if (Number.isFinite(timeoutMs)) {
        w.timer = setTimeout(() => {
          this.#waiters.delete(w);
          resolve(undefined);
        }, Math.min(Math.max(0, timeoutMs), MAX_TIMEOUT));
      }
      this.#waiters.add(w);
    });
  }

  /** Stop reading now (end = 'aborted') and cancel the body. */
  abort(): void {
    this.#finish('aborted');
  }

  #elapsed(): number {
    return this.#now() - this.#t0;
  }

  /** Monotonic (non-decreasing) timestamp, ms since construction. */
  #stamp(): number {
    const t = this.#elapsed();
    if (t > this.#lastAt) this.#lastAt = t;
    return this.#lastAt;
  }

  #nextDeadline(): { due: number; kind: SseEnd } {
    const d = this.#deadlines;
    let due = d.totalMs;
    let kind: SseEnd = 'total-deadline';
    // ties: first-event beats gap beats total (the more specific verdict)
    if (this.#lastByteAt !== undefined && this.#lastByteAt + d.gapMs <= due) {
      due = this.#lastByteAt + d.gapMs;
      kind = 'gap-deadline';
    }
    if (this.events.length === 0 && d.firstEventMs <= due) {
      due = d.firstEventMs;
      kind = 'first-event-deadline';
    }
    return { due, kind };
  }

  /** One timer at a time: armed for the earliest deadline; moved only if a deadline became earlier. */
  #schedule(): void {
    if (this.#ended) return;
    const { due } = this.#nextDeadline();
    if (this.#timer !== undefined) {
      if (this.#timerDue <= due) return; // fires early at worst; #onTimer re-arms
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (!Number.isFinite(due)) return;
    const delay = Math.min(Math.max(0, Math.ceil(due - this.#elapsed())), MAX_TIMEOUT);
    this.#timerDue = due;
    this.#timer = setTimeout(() => this.#onTimer(), delay);
    unrefTimer(this.#timer);
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    if (this.#ended) return;
    const { due, kind } = this.#nextDeadline();
    if (this.#elapsed() >= due) this.#finish(kind);
    else this.#schedule();
  }

  async #run(body: SseBody): Promise<void> {
    try {
      if (typeof (body as ReadableStream<Uint8Array>).getReader === 'function') {
        const reader = (body as ReadableStream<Uint8Array>).getReader();
        this.#cancel = (reason) => {
          reader.cancel(reason).catch(() => {});
        };
        while (!this.#ended) {
          const r = await reader.read();
          if (this.#ended) return;
          if (r.done) return this.#finish('closed');
          this.#onChunk(r.value);
        }
      } else {
        const it = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
        this.#cancel = () => {
          // For an async generator parked at an await, return() is queued behind the pending next() and
          // cannot interrupt it; we never wait for it (done resolves regardless).
          try {
            Promise.resolve(it.return?.()).catch(() => {});
          } catch {
            /* ignore */
          }
        };
        while (!this.#ended) {
          const r = await it.next();
          if (this.#ended) return;
          if (r.done) return this.#finish('closed');
          this.#onChunk(r.value);
        }
      }
    } catch (e) {
      this.#finish('error', errorMessage(e));
    }
  }

  #onChunk(chunk: unknown): void {
    const t = this.#elapsed();
    // A chunk processed after a deadline passed is late, whichever of the timer or the read ran first.
    const { due, kind } = this.#nextDeadline();
    if (t >= due) return this.#finish(kind);
    this.#chunkAt = this.#stamp();
    const before = this.#core.bytes;
    if (!this.#core.push(chunk)) {
      return this.#finish('error', `body yielded a chunk that is neither bytes nor string (${typeof chunk})`);
    }
    if (this.#core.bytes > before) this.#lastByteAt = t;
    if (this.#core.overflow !== undefined) return this.#finish('error', this.#core.overflow);
    this.#schedule();
  }

  #notify(e: SseEvent): void {
    for (const w of this.#waiters) {
      let hit: boolean;
      try {
        hit = w.pred(e);
      } catch (err) {
        this.#settle(w);
        w.reject(err);
        continue;
      }
      if (hit) {
        this.#settle(w);
        w.resolve(e);
      }
    }
  }

  #settle(w: Waiter): void {
    if (w.timer !== undefined) clearTimeout(w.timer);
    this.#waiters.delete(w);
  }

  #finish(end: SseEnd, error?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (end !== 'closed') this.#cancel?.(`sse-reader: ${end}`);
    const trailing = this.#core.end(end === 'closed');
    const endedAt = this.#stamp();
    for (const w of [...this.#waiters]) {
      this.#settle(w);
      w.resolve(undefined);
    }
    const core = this.#core;
    const result: SseResult = {
      events: this.events,
      end,
      endedAt,
      comments: core.comments,
      bytes: core.bytes,
      chunks: core.chunks,
      text: core.text,
      trailing,
      parseErrors: core.parseErrors,
    };
    if (error !== undefined) result.error = error;
    if (core.retry !== undefined) result.retry = core.retry;
    this.#resolveDone(result);
  }
}

export function defaultDeadlines(kind: 'remote' | 'embedded'): SseDeadlines {
  return kind === 'remote'
    ? { firstEventMs: 15_000, gapMs: 30_000, totalMs: 180_000 } // PostHog sends `: keepalive` every 15 s
    : { firstEventMs: 2_000, gapMs: 1_500, totalMs: 8_000 };
}

/** Parse a whole stream given as chunks (for tests and offline checks): same events as SseReader, no timing. */
export function parseSse(chunks: Iterable<string | Uint8Array>): {
  events: Omit<SseEvent, 'at'>[];
  comments: string[];
  retry?: number;
  trailing: boolean;
  /** Extension, as in SseResult. */
  parseErrors: string[];
} {
  const events: Omit<SseEvent, 'at'>[] = [];
  const core = new SseCore({ onEvent: (f) => events.push({ ...f, index: events.length }) });
  for (const c of chunks) {
    if (!core.push(c)) throw new TypeError(`parseSse: chunk is neither bytes nor string (${typeof c})`);
    if (core.overflow !== undefined) break;
  }
  const trailing = core.end(true);
  const out: ReturnType<typeof parseSse> = { events, comments: core.comments, trailing, parseErrors: core.parseErrors };
  if (core.retry !== undefined) out.retry = core.retry;
  return out;
}

const encoder = new TextEncoder();

function pieces(bytes: Uint8Array, sizes: number[] | number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (typeof sizes === 'number') {
    if (!(sizes >= 1)) throw new RangeError('chunked: size must be >= 1');
    for (let i = 0; i < bytes.length; i += sizes) out.push(bytes.slice(i, i + sizes));
    return out;
  }
  let i = 0;
  for (const n of sizes) {
    if (i >= bytes.length) break;
    out.push(bytes.slice(i, i + Math.max(0, n)));
    i += Math.max(0, n);
  }
  if (i < bytes.length) out.push(bytes.slice(i));
  return out;
}

/**
 * Yields the UTF-8 bytes of `text` in pieces. A number: fixed-size pieces. An array: pieces of those sizes
 * in order (0 yields an empty chunk), then the remainder as one last piece.
 */
export async function* chunked(text: string, sizes: number[] | number): AsyncIterable<Uint8Array> {
  for (const p of pieces(encoder.encode(text), sizes)) yield p;
}

/** Every two-chunk split of the UTF-8 bytes of `text`: [bytes[0..k), bytes[k..n)] for k = 0..n (empty chunks included at the ends). */
export function splitEverywhere(text: string): Uint8Array[][] {
  const bytes = encoder.encode(text);
  const out: Uint8Array[][] = [];
  for (let k = 0; k <= bytes.length; k++) out.push([bytes.slice(0, k), bytes.slice(k)]);
  return out;
}
