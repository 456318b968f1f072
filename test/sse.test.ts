import { describe, it, expect, vi } from 'vitest';
import {
  SseReader,
  parseSse,
  chunked,
  splitEverywhere,
  defaultDeadlines,
  type SseDeadlines,
  type SseEvent,
  type SseResult,
} from '../src/sse.js';

const enc = new TextEncoder();

/** Generous deadlines: tests that are not about timing must never hit them. */
const RELAXED: SseDeadlines = { firstEventMs: 10_000, gapMs: 10_000, totalMs: 20_000 };
/** Slack allowed on top of a deadline before we call the reader slow (scheduling noise on a loaded CI box). */
const MARGIN_MS = 750;

// ---------------------------------------------------------------------------------------------------------------
// Reference stream (shaped like PostHog's Max AI conversation stream) and its hand-written expected events.
// ---------------------------------------------------------------------------------------------------------------
const FRAMES = [
  ': connected',
  'retry: 3000',
  'event: conversation\ndata: {"type":"conversation","id":"c-1"}',
  'id: 1\nevent: message\ndata: {"type":"ai/assistant","content":"Café é 🦔"}',
  'data: {"default":true,"emoji":"🦔"}',
  ': keepalive',
  'event: status\ndata: line one\ndata: {"x":"é"}\ndata:  two spaces',
  'id: 2\nevent: message\ndata:no-space',
  'event: done\ndata:',
];
const REFERENCE = FRAMES.join('\n\n') + '\n\n';

type Plain = { event: string; data: string; id?: string };
const EXPECTED: Plain[] = [
  { event: 'conversation', data: '{"type":"conversation","id":"c-1"}' },
  { event: 'message', data: '{"type":"ai/assistant","content":"Café é 🦔"}', id: '1' },
  { event: 'message', data: '{"default":true,"emoji":"🦔"}' },
  { event: 'status', data: 'line one\n{"x":"é"}\n two spaces' },
  { event: 'message', data: 'no-space', id: '2' },
  { event: 'done', data: '' },
];
const EXPECTED_COMMENTS = ['connected', 'keepalive'];

const plain = (events: Pick<SseEvent, 'event' | 'data' | 'id'>[]): Plain[] =>
  events.map(({ event, data, id }) => (id === undefined ? { event, data } : { event, data, id }));

/** Spec-valid rewrites of the reference stream that must not change the events. */
const VARIANTS: Record<string, { text: string; sameComments: boolean }> = {
  'LF': { text: REFERENCE, sameComments: true },
  'CRLF': { text: REFERENCE.replace(/\n/g, '\r\n'), sameComments: true },
  'lone CR': { text: REFERENCE.replace(/\n/g, '\r'), sameComments: true },
  'mixed LF / CRLF / CR': {
    text: (() => {
      // order matters: a lone CR must never be followed by an LF terminator, or the pair reads as ONE CRLF
      let i = 0;
      return REFERENCE.replace(/\n/g, () => ['\r\n', '\n', '\r'][i++ % 3]!);
    })(),
    sameComments: true,
  },
  'extra keepalives (between frames and between lines)': {
    text:
      ': keepalive\n\n' +
      FRAMES.map((f) => f.split('\n').map((l) => `: keepalive\n${l}`).join('\n')).join('\n\n: keepalive\n\n') +
      '\n\n: keepalive\n\n',
    sameComments: false,
  },
  'leading BOM': { text: '\uFEFF' + REFERENCE, sameComments: true },
  'leading BOM + CRLF': { text: '\uFEFF' + REFERENCE.replace(/\n/g, '\r\n'), sameComments: true },
};

// ---------------------------------------------------------------------------------------------------------------
// Helpers: bodies we control.
// ---------------------------------------------------------------------------------------------------------------
async function* iterate<T>(chunks: Iterable<T>): AsyncIterable<T> {
  for (const c of chunks) yield c;
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++]!);
      else c.close();
    },
  });
}

/** A ReadableStream that only does what the test tells it to (never ends on its own). */
function controlled() {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const state = { cancelled: false, reason: undefined as unknown };
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      ctrl = c;
    },
    cancel(reason) {
      state.cancelled = true;
      state.reason = reason;
    },
  });
  return {
    stream,
    state,
    push: (s: string) => ctrl.enqueue(enc.encode(s)),
    close: () => ctrl.close(),
    error: (e: unknown) => ctrl.error(e),
  };
}

/** Seeded PRNG (mulberry32) so random chunkings are reproducible. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectWellFormed(r: SseResult) {
  expect(r.end).toBe('closed');
  expect(r.trailing).toBe(false);
  r.events.forEach((e, i) => {
    expect(e.index).toBe(i);
    if (i > 0) expect(e.at).toBeGreaterThanOrEqual(r.events[i - 1]!.at);
  });
  expect(r.endedAt).toBeGreaterThanOrEqual(r.events.at(-1)?.at ?? 0);
}

async function readAll(body: ConstructorParameters<typeof SseReader>[0]): Promise<SseResult> {
  return new SseReader(body, RELAXED).done;
}

// ---------------------------------------------------------------------------------------------------------------
describe('property: spec-valid variations never change the events', () => {
  it('reference stream: expected events, comments, retry, text and bytes', async () => {
    const r = await readAll(chunked(REFERENCE, 1 << 20));
    expectWellFormed(r);
    expect(plain(r.events)).toStrictEqual(EXPECTED);
    expect(r.comments).toStrictEqual(EXPECTED_COMMENTS);
    expect(r.retry).toBe(3000);
    expect(r.text).toBe(REFERENCE);
    expect(r.bytes).toBe(enc.encode(REFERENCE).length);
    expect(r.parseErrors).toStrictEqual([]);
    expect(JSON.parse(r.events[1]!.data).content).toBe('Café é 🦔');
    expect(JSON.parse(r.events[2]!.data).emoji).toBe('🦔');
  });

  for (const [name, { text, sameComments }] of Object.entries(VARIANTS)) {
    describe(name, () => {
      const bytes = enc.encode(text);
      const check = (r: SseResult) => {
        expectWellFormed(r);
        expect(plain(r.events)).toStrictEqual(EXPECTED);
        expect(r.retry).toBe(3000);
        expect(r.bytes).toBe(bytes.length);
        if (sameComments) expect(r.comments).toStrictEqual(EXPECTED_COMMENTS);
        else expect(r.comments.length).toBeGreaterThan(EXPECTED_COMMENTS.length);
      };

      it('delivered whole (ReadableStream)', async () => {
        const r = await readAll(streamOf([bytes]));
        check(r);
        expect(r.chunks).toBe(1);
        expect(r.text).toBe(text);
      });

      it(`split into two chunks at every byte boundary (${bytes.length + 1} splits)`, async () => {
        const splits = splitEverywhere(text);
        expect(splits).toHaveLength(bytes.length + 1);
        const results = await Promise.all(splits.map((s) => readAll(iterate(s))));
        results.forEach(check);
      });

      it('one byte per chunk (ReadableStream)', async () => {
        const r = await readAll(streamOf([...bytes].map((b) => Uint8Array.of(b))));
        check(r);
        expect(r.chunks).toBe(bytes.length);
      });

      it('200 seeded random chunkings (sizes 0..9, empty chunks included)', async () => {
        const rand = rng(0x5eed + text.length);
        const bodies = Array.from({ length: 200 }, () => {
          const sizes: number[] = [];
          for (let n = 0; n < bytes.length; ) {
            const s = Math.floor(rand() * 10);
            sizes.push(s);
            n += s;
          }
          return chunked(text, sizes);
        });
        (await Promise.all(bodies.map(readAll))).forEach(check);
      });

      it('as string chunks split at every UTF-16 index (even inside a surrogate pair)', async () => {
        const results = await Promise.all(
          Array.from({ length: text.length + 1 }, (_, k) => readAll(iterate([text.slice(0, k), text.slice(k)]))),
        );
        results.forEach(check);
      });

      it('parseSse agrees with SseReader', () => {
        const p = parseSse([...bytes].map((b) => Uint8Array.of(b)));
        expect(plain(p.events)).toStrictEqual(EXPECTED);
        expect(p.events.map((e) => e.index)).toStrictEqual(EXPECTED.map((_, i) => i));
        expect(p.retry).toBe(3000);
        expect(p.trailing).toBe(false);
        if (sameComments) expect(p.comments).toStrictEqual(EXPECTED_COMMENTS);
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
describe('framing edge cases', () => {
  it('an unterminated last frame is reported as trailing and not emitted', async () => {
    const r = await readAll(chunked('event: a\ndata: 1\n\nevent: b\ndata: 2', 3));
    expect(r.end).toBe('closed');
    expect(plain(r.events)).toStrictEqual([{ event: 'a', data: '1' }]);
    expect(r.trailing).toBe(true);

    // last line terminated but no blank line after it: still an incomplete frame
    const r2 = await readAll(chunked('data: 1\n\ndata: 2\n', 1));
    expect(plain(r2.events)).toStrictEqual([{ event: 'message', data: '1' }]);
    expect(r2.trailing).toBe(true);

    expect(parseSse(['data: 1\n\ndata: 2']).trailing).toBe(true);
    expect(parseSse(['data: 1\n\n']).trailing).toBe(false);
  });

  it('trailing only counts frames holding data; an unterminated comment line is discarded', () => {
    expect(parseSse(['data: 1\n\nevent: x\n'])).toMatchObject({ trailing: false, events: [{ data: '1' }] });
    expect(parseSse(['data: 1\n\n: keepalive'])).toMatchObject({ trailing: false, comments: [] });
    expect(parseSse(['data: 1\n\nretry: 5'])).not.toHaveProperty('retry');
  });

  it('a lone CR at the very end of the body terminates the line (frame not lost)', () => {
    expect(parseSse(['data: 1\r\r'])).toMatchObject({ trailing: false, events: [{ data: '1' }] });
    expect(parseSse(['data: 1\r'])).toMatchObject({ trailing: true, events: [] });
    expect(parseSse(['data: 1\r', '\n', '\r', '\n'])).toMatchObject({ trailing: false, events: [{ data: '1' }] });
  });

  it('a frame ended by lone CRs is emitted as soon as its last CR arrives (no wait for the next chunk)', async () => {
    const c = controlled();
    const reader = new SseReader(c.stream, RELAXED);
    c.push('data: 1\r\r');
    expect(await reader.waitFor((e) => e.data === '1', 2000)).toMatchObject({ data: '1', index: 0 });
    c.push('data: 2\r');
    c.push('\n\r'); // CRLF split across chunks, then the blank line's CR
    expect(await reader.waitFor((e) => e.data === '2', 2000)).toMatchObject({ data: '2', index: 1 });
    c.push('\n'); // second half of that CRLF: must not produce anything
    c.close();
    const r = await reader.done;
    expect(plain(r.events)).toStrictEqual([
      { event: 'message', data: '1' },
      { event: 'message', data: '2' },
    ]);
    expect(r.trailing).toBe(false);
  });

  it('frames without the blank line between them merge into ONE event (how a server that forgets separators is caught)', async () => {
    // The SSE spec has no "end of frame" other than a blank line: a second event:/data: pair just overwrites the
    // type and appends to the data buffer. So the server's two frames surface as one `b` event whose data is two
    // JSON documents joined by "\n" -- no longer valid JSON, which the contract checks then report.
    const r = await readAll(chunked('event: a\ndata: {"n":1}\nevent: b\ndata: {"n":2}\n\n', 4));
    expect(plain(r.events)).toStrictEqual([{ event: 'b', data: '{"n":1}\n{"n":2}' }]);
    expect(() => JSON.parse(r.events[0]!.data)).toThrow();
    expect(plain(parseSse(['event: a\ndata: 1\nevent: b\ndata: 2\n\n']).events)).toStrictEqual([
      { event: 'b', data: '1\n2' },
    ]);
  });

  it('id is the frame\'s own id: field (eventsource-parser does not carry it over like lastEventId)', () => {
    expect(plain(parseSse(['id: 7\ndata: a\n\ndata: b\n\n']).events)).toStrictEqual([
      { event: 'message', data: 'a', id: '7' },
      { event: 'message', data: 'b' },
    ]);
  });

  it('empty event: name means "message"; unknown fields are reported in parseErrors, not fatal', () => {
    const p = parseSse(['event:\ndata: x\n\nevnt: y\ndata: z\n\n']);
    expect(plain(p.events)).toStrictEqual([
      { event: 'message', data: 'x' },
      { event: 'message', data: 'z' },
    ]);
    expect(p.parseErrors).toStrictEqual(['Unknown field "evnt"']);
  });

  it('only one leading BOM is stripped; a BOM split across byte chunks is still recognised', () => {
    const bom = enc.encode('\uFEFFevent: a\ndata: 1\n\n');
    expect(plain(parseSse([...bom].map((b) => Uint8Array.of(b))).events)).toStrictEqual([{ event: 'a', data: '1' }]);
    const twice = parseSse(['\uFEFF\uFEFFevent: a\ndata: 1\n\n']);
    expect(plain(twice.events)).toStrictEqual([{ event: 'message', data: '1' }]);
    expect(twice.parseErrors).toHaveLength(1);
  });

  it('text keeps at most 256 KiB of the raw body', async () => {
    const line = `data: ${'x'.repeat(1000)}\n\n`;
    const body = line.repeat(300);
    const r = await readAll(chunked(body, 4096));
    expect(r.events).toHaveLength(300);
    expect(r.bytes).toBe(body.length);
    expect(r.text).toHaveLength(256 * 1024);
    expect(body.startsWith(r.text)).toBe(true);
  });

  it('`at` is monotonic and is the arrival time of the chunk completing the frame (injected clock)', async () => {
    let clock = 1000;
    const c = controlled();
    const reader = new SseReader(c.stream, RELAXED, { now: () => clock });
    clock = 1005;
    c.push('event: a\ndata: 1\n\n');
    await reader.waitFor((e) => e.event === 'a', 2000);
    clock = 1017;
    c.push('event: b\nda');
    await reader.waitFor(() => false, 0); // let the reader consume that chunk
    clock = 1030;
    c.push('ta: 2\n\n');
    await reader.waitFor((e) => e.event === 'b', 2000);
    clock = 1020; // a clock going backwards must not make `at` go backwards
    c.push('event: c\ndata: 3\n\n');
    await reader.waitFor((e) => e.event === 'c', 2000);
    clock = 1040;
    c.close();
    const r = await reader.done;
    expect(r.events.map((e) => [e.event, e.at])).toStrictEqual([
      ['a', 5],
      ['b', 30],
      ['c', 30],
    ]);
    expect(r.endedAt).toBe(40);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('deadlines', () => {
  it('a body that never ends after an event hits gap-deadline quickly, and the stream is cancelled', async () => {
    const c = controlled();
    const start = performance.now();
    const reader = new SseReader(c.stream, { firstEventMs: 5000, gapMs: 60, totalMs: 5000 });
    c.push('event: a\ndata: 1\n\n');
    const r = await reader.done;
    const took = performance.now() - start;
    expect(r.end).toBe('gap-deadline');
    expect(r.endedAt).toBeGreaterThanOrEqual(60);
    expect(took).toBeLessThan(60 + MARGIN_MS);
    expect(r.events).toHaveLength(1);
    expect(c.state.cancelled).toBe(true);
    expect(String(c.state.reason)).toMatch(/gap-deadline/);
  });

  it('total-deadline ends a stream that keeps talking but never finishes', async () => {
    const c = controlled();
    const start = performance.now();
    const reader = new SseReader(c.stream, { firstEventMs: 5000, gapMs: 5000, totalMs: 80 });
    c.push('event: a\ndata: 1\n\n');
    const r = await reader.done;
    expect(r.end).toBe('total-deadline');
    expect(r.endedAt).toBeGreaterThanOrEqual(80);
    expect(performance.now() - start).toBeLessThan(80 + MARGIN_MS);
    expect(c.state.cancelled).toBe(true);
  });

  it('no event within firstEventMs -> first-event-deadline (bytes and comments do not count as an event)', async () => {
    const c = controlled();
    const start = performance.now();
    const reader = new SseReader(c.stream, { firstEventMs: 60, gapMs: 5000, totalMs: 5000 });
    c.push(': keepalive\n\n');
    const r = await reader.done;
    expect(r.end).toBe('first-event-deadline');
    expect(r.events).toHaveLength(0);
    expect(r.comments).toStrictEqual(['keepalive']);
    expect(performance.now() - start).toBeLessThan(60 + MARGIN_MS);
    expect(c.state.cancelled).toBe(true);
  });

  it('gapMs only runs once bytes have arrived: a silent server is a first-event failure even when gap < first', async () => {
    const c = controlled();
    const r = await new SseReader(c.stream, { firstEventMs: 80, gapMs: 20, totalMs: 5000 }).done;
    expect(r.end).toBe('first-event-deadline');
    expect(r.bytes).toBe(0);
  });

  it('keepalive comments arriving faster than gapMs keep a slow stream alive', async () => {
    let timer: ReturnType<typeof setInterval> | undefined;
    let keepalives = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(ctrl) {
        ctrl.enqueue(enc.encode('event: start\ndata: {}\n\n'));
        timer = setInterval(() => {
          if (keepalives < 12) {
            keepalives++;
            ctrl.enqueue(enc.encode(': keepalive\n\n'));
          } else {
            clearInterval(timer);
            ctrl.enqueue(enc.encode('event: end\ndata: {}\n\n'));
            ctrl.close();
          }
        }, 15);
      },
      cancel() {
        clearInterval(timer);
      },
    });
    const r = await new SseReader(stream, { firstEventMs: 5000, gapMs: 100, totalMs: 10_000 }).done;
    expect(r.end).toBe('closed');
    expect(r.events.map((e) => e.event)).toStrictEqual(['start', 'end']);
    expect(r.comments).toHaveLength(12);
    // silence between the two EVENTS exceeded gapMs; only the keepalives kept it alive
    expect(r.events[1]!.at - r.events[0]!.at).toBeGreaterThan(100);
  });

  it('control: the same slow stream without keepalives hits gap-deadline', async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(ctrl) {
        ctrl.enqueue(enc.encode('event: start\ndata: {}\n\n'));
        timer = setTimeout(() => {
          ctrl.enqueue(enc.encode('event: end\ndata: {}\n\n'));
          ctrl.close();
        }, 400);
      },
      cancel() {
        cancelled = true;
        clearTimeout(timer);
      },
    });
    const r = await new SseReader(stream, { firstEventMs: 5000, gapMs: 100, totalMs: 10_000 }).done;
    expect(r.end).toBe('gap-deadline');
    expect(r.events.map((e) => e.event)).toStrictEqual(['start']);
    expect(cancelled).toBe(true);
  });

  it('an AsyncIterable body stuck forever still resolves `done` at the deadline', async () => {
    async function* stuck() {
      yield enc.encode('data: 1\n\n');
      await new Promise(() => {});
    }
    const r = await new SseReader(stuck(), { firstEventMs: 5000, gapMs: 50, totalMs: 5000 }).done;
    expect(r.end).toBe('gap-deadline');
    expect(r.events).toHaveLength(1);
  });

  it('a chunk processed after a deadline passed (by the reader clock) is late: deadline verdict, chunk dropped', async () => {
    let clock = 0;
    const c = controlled();
    const reader = new SseReader(c.stream, { firstEventMs: 5000, gapMs: 50, totalMs: 5000 }, { now: () => clock });
    clock = 10;
    c.push('data: 1\n\n');
    await reader.waitFor(() => true, 2000);
    clock = 61; // 51 ms of silence by the reader's clock; the real timer has not fired yet
    c.push('data: 2\n\n');
    const r = await reader.done;
    expect(r.end).toBe('gap-deadline');
    expect(r.events.map((e) => e.data)).toStrictEqual(['1']);
    expect(c.state.cancelled).toBe(true);
  });

  it('defaultDeadlines', () => {
    expect(defaultDeadlines('remote')).toStrictEqual({ firstEventMs: 15000, gapMs: 30000, totalMs: 180000 });
    expect(defaultDeadlines('embedded')).toStrictEqual({ firstEventMs: 2000, gapMs: 1500, totalMs: 8000 });
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('waitFor / abort / errors', () => {
  it('waitFor resolves for past and future events', async () => {
    const c = controlled();
    const reader = new SseReader(c.stream, RELAXED);
    c.push('event: a\ndata: 1\n\n');
    const a = await reader.waitFor((e) => e.event === 'a', 2000);
    expect(a).toMatchObject({ event: 'a', index: 0 });
    // past: already received
    expect(await reader.waitFor((e) => e.event === 'a', 0)).toBe(a);
    // future
    const b = reader.waitFor((e) => e.event === 'b', 2000);
    c.push('event: x\ndata: 2\n\n');
    c.push('event: b\ndata: 3\n\n');
    expect(await b).toMatchObject({ event: 'b', data: '3', index: 2 });
    c.close();
    await reader.done;
    // after the end: past events are still found
    expect(await reader.waitFor((e) => e.event === 'x', 0)).toMatchObject({ data: '2' });
  });

  it('waitFor returns undefined on timeout and when the stream ends first', async () => {
    const c = controlled();
    const reader = new SseReader(c.stream, RELAXED);
    expect(await reader.waitFor(() => true, 20)).toBeUndefined();
    const never = reader.waitFor((e) => e.event === 'never', 60_000);
    c.push('event: a\ndata: 1\n\n');
    c.close();
    expect(await never).toBeUndefined(); // promptly: well within the test timeout, not after 60 s
    expect(await reader.waitFor((e) => e.event === 'never', 60_000)).toBeUndefined();
    expect((await reader.done).end).toBe('closed');
  });

  it('waitFor rejects if the predicate throws', async () => {
    const c = controlled();
    const reader = new SseReader(c.stream, RELAXED);
    const p = reader.waitFor(() => {
      throw new Error('bad predicate');
    }, 2000);
    c.push('data: 1\n\n');
    await expect(p).rejects.toThrow('bad predicate');
    reader.abort();
    await reader.done;
  });

  it('does not leak timers: one deadline timer, one per pending waitFor, none after the end', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const c = controlled();
      const reader = new SseReader(c.stream, RELAXED);
      expect(vi.getTimerCount()).toBe(1);
      const a = reader.waitFor((e) => e.event === 'a', 10_000);
      const b = reader.waitFor((e) => e.event === 'b', 10_000);
      const z = reader.waitFor((e) => e.event === 'z', 10_000);
      expect(vi.getTimerCount()).toBe(4);
      c.push('event: a\ndata: 1\n\n');
      expect(await a).toMatchObject({ event: 'a' });
      expect(vi.getTimerCount()).toBe(3);
      for (let i = 0; i < 50; i++) c.push(`: keepalive ${i}\n\n`); // re-arming must not pile up timers
      c.push('event: b\ndata: 2\n\n');
      expect(await b).toMatchObject({ event: 'b' });
      expect(vi.getTimerCount()).toBe(2);
      c.close();
      await reader.done;
      expect(await z).toBeUndefined();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('abort() stops reading now, cancels the body and releases waiters', async () => {
    const c = controlled();
    const reader = new SseReader(c.stream, RELAXED);
    c.push('event: a\ndata: 1\n\n');
    await reader.waitFor((e) => e.event === 'a', 2000);
    const pending = reader.waitFor((e) => e.event === 'b', 60_000);
    reader.abort();
    reader.abort(); // idempotent
    const r = await reader.done;
    expect(r.end).toBe('aborted');
    expect(r.events).toHaveLength(1);
    expect(await pending).toBeUndefined();
    expect(c.state.cancelled).toBe(true);
    expect(String(c.state.reason)).toMatch(/aborted/);
  });

  it('abort() after the stream closed changes nothing', async () => {
    const reader = new SseReader(chunked('data: 1\n\n', 2), RELAXED);
    const r = await reader.done;
    reader.abort();
    expect(r.end).toBe('closed');
    expect(await reader.done).toBe(r);
  });

  it('a body that errors ends with end = "error" (done never rejects)', async () => {
    const c = controlled();
    const reader = new SseReader(c.stream, RELAXED);
    c.push('data: 1\n\ndata: par');
    await reader.waitFor(() => true, 2000);
    c.error(new Error('socket hang up'));
    const r = await reader.done;
    expect(r).toMatchObject({ end: 'error', error: 'socket hang up', trailing: true });
    expect(r.events).toHaveLength(1);
  });

  it('a locked stream is an error, not a throw', async () => {
    const s = streamOf([]);
    s.getReader();
    const r = await new SseReader(s, RELAXED).done;
    expect(r.end).toBe('error');
  });
});

describe('helpers', () => {
  it('chunked yields the UTF-8 bytes in the given pieces', async () => {
    const collect = async (it: AsyncIterable<Uint8Array>) => {
      const out: number[][] = [];
      for await (const c of it) out.push([...c]);
      return out;
    };
    expect(await collect(chunked('é🦔', 1))).toHaveLength(6);
    expect((await collect(chunked('abcdefgh', [2, 0, 3]))).map((c) => c.length)).toStrictEqual([2, 0, 3, 3]);
    expect((await collect(chunked('abcdefgh', 3))).map((c) => c.length)).toStrictEqual([3, 3, 2]);
  });

  it('splitEverywhere gives every two-chunk split of the bytes', () => {
    const s = splitEverywhere('é');
    expect(s.map((p) => p.map((c) => c.length))).toStrictEqual([
      [0, 2],
      [1, 1],
      [2, 0],
    ]);
  });
});
