/**
 * Spec-valid variations of the conversation stream (NOT mutants): the same frames as the
 * reference, written the ways the SSE spec (and PostHog, posthog-contract.md E4) allow. The
 * streaming and status families must trip no rule and skip no case against any of them, so the
 * suite raises no false alarm on line endings, comments, chunking or `id:`/`retry:` fields.
 * A second test per variation reads one stream directly, to prove the variation is on the wire.
 */
import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { ReferenceTarget, serve, type AssistantRun } from '../targets/reference/server.js';
import { SseReader, type SseResult } from '../src/sse.js';
import { runSuite, tripped } from './meta.js';

/** Every line ends with CRLF (the SSE spec accepts CRLF, LF and lone CR). */
class CrlfTarget extends ReferenceTarget {
  override sseFrame(event: string, data: unknown): string {
    return super.sseFrame(event, data).replace(/\n/g, '\r\n');
  }
}

/** A `: keepalive` comment before every frame (PostHog's newest builds send `: keepalive\n\n` every 15 s). */
class KeepaliveTarget extends ReferenceTarget {
  override sseFrame(event: string, data: unknown): string {
    return `: keepalive\n\n${super.sseFrame(event, data)}`;
  }
}

/**
 * One byte per write (a multi-byte UTF-8 character is split across writes: the answer has "Café"
 * and a hedgehog emoji), the loop yielding to the event loop between bytes so they leave as
 * separate chunks; every stream opens with `retry: 3000` and every frame has an `id:` field.
 */
class BytewiseTarget extends ReferenceTarget {
  private frameId = 0;

  override answerWords(question: string, frames: number): string[] {
    return ['Café', '🦔', ...super.answerWords(question, frames)];
  }

  override sseFrame(event: string, data: unknown): string {
    return `id: ${++this.frameId}\n${super.sseFrame(event, data)}`;
  }

  override openRunStream(run: AssistantRun | undefined, prefix: string[], fromIndex: number): AsyncIterable<string> {
    const frames = super.openRunStream(run, prefix, fromIndex)[Symbol.asyncIterator]();
    let pending = Buffer.from('retry: 3000\n\n');
    let at = 0;
    let done = false;
    const bytes: AsyncIterableIterator<string> = {
      [Symbol.asyncIterator]: () => bytes,
      async next() {
        while (at >= pending.length) {
          const r = done ? undefined : await frames.next();
          if (!r || r.done) {
            done = true;
            return { done: true, value: undefined };
          }
          pending = Buffer.from(r.value);
          at = 0;
        }
        await new Promise((resolve) => setImmediate(resolve));
        const one = pending.subarray(at, at + 1);
        at += 1;
        // a Buffer, not a string: the server writes chunks as given, and a string could not hold half a character
        return { done: false, value: one as unknown as string };
      },
      async return() {
        done = true;
        await frames.return?.();
        return { done: true, value: undefined };
      },
    };
    return bytes;
  }
}

/** Read one new message's stream from a served target (the * key, a short question). */
async function readOneStream(make: () => ReferenceTarget): Promise<SseResult> {
  const server = await serve(make(), 0);
  try {
    const { baseUrl, projectId, apiKey } = server.info;
    const res = await fetch(`${baseUrl}/api/environments/${projectId}/conversations/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ content: 'How many users signed up last week?', conversation: randomUUID(), trace_id: randomUUID() }),
    });
    if (res.status !== 200 || !res.body) throw new Error(`stream did not open: ${res.status}`);
    return await new SseReader(res.body, { firstEventMs: 2000, gapMs: 1500, totalMs: 8000 }).done;
  } finally {
    await server.close();
  }
}

const variations: { name: string; make: () => ReferenceTarget; onTheWire: (r: SseResult) => void }[] = [
  {
    name: 'CRLF line endings',
    make: () => new CrlfTarget(),
    onTheWire: (r) => {
      if (!r.text.includes('\r\n') || /(?<!\r)\n/.test(r.text)) throw new Error('expected CRLF line endings only');
    },
  },
  {
    name: '`: keepalive` comments between frames',
    make: () => new KeepaliveTarget(),
    onTheWire: (r) => {
      if (r.comments.length < r.events.length || !r.comments.every((c) => c === 'keepalive')) throw new Error(`expected a keepalive per frame, got ${r.comments.length} comments`);
    },
  },
  {
    name: 'one byte per chunk, with id: and retry: fields',
    make: () => new BytewiseTarget(),
    onTheWire: (r) => {
      if (r.retry !== 3000) throw new Error(`expected retry 3000, got ${r.retry}`);
      if (!r.events.every((e) => e.id !== undefined)) throw new Error('expected an id on every event');
      if (!r.text.includes('Café 🦔')) throw new Error('expected the multi-byte answer');
      // loopback may coalesce some writes; most bytes must still arrive on their own
      if (r.chunks < r.bytes / 2) throw new Error(`expected about one chunk per byte, got ${r.chunks} chunks for ${r.bytes} bytes`);
    },
  },
];

describe('spec-valid stream variations trip no rule', () => {
  it.concurrent.for(variations)('$name: streaming and status families', async (v, { expect }) => {
    const results = await runSuite(v.make, ['streaming', 'status']);
    expect(results.length).toBeGreaterThan(0);
    expect(tripped(results)).toEqual([]);
    expect(results.filter((r) => r.verdict === 'skipped').map((r) => `${r.id}: ${r.skipReason}`)).toEqual([]);
  });

  it.concurrent.for(variations)('$name: the variation is on the wire', async (v, { expect }) => {
    const r = await readOneStream(v.make);
    expect(r.end).toBe('closed');
    expect(r.trailing).toBe(false);
    expect(r.events.map((e) => e.event)).toContain('conversation');
    expect(() => v.onTheWire(r)).not.toThrow();
  });
});
