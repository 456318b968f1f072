/**
 * Breaks E4 "StreamingHttpResponse" (frames are written as the assistant produces them): every
 * frame is held back and the whole stream is written in one piece when the run ends, as a
 * buffering proxy or middleware (gzip, `proxy_buffering on`) does.
 */
import { ReferenceTarget, type AssistantRun } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-buffered',
  description: 'all events are held back and written at once when the stream ends',
  catches: ['sse.incremental'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override openRunStream(run: AssistantRun | undefined, prefix: string[], fromIndex: number): AsyncIterable<string> {
        const inner = super.openRunStream(run, prefix, fromIndex)[Symbol.asyncIterator]();
        let flushed = false;
        const buffered: AsyncIterableIterator<string> = {
          [Symbol.asyncIterator]: () => buffered,
          async next() {
            if (flushed) return { done: true, value: undefined };
            const held: string[] = [];
            for (let r = await inner.next(); !r.done; r = await inner.next()) held.push(r.value);
            flushed = true;
            return held.length ? { done: false, value: held.join('') } : { done: true, value: undefined };
          },
          async return() {
            flushed = true;
            await inner.return?.();
            return { done: true, value: undefined };
          },
        };
        return buffered;
      }
    })(),
});
