/**
 * Breaks E4 "`message`: message model, exclude_none" (serialised with `model_dump_json`):
 * `message` frames carry the pydantic repr (`type='ai' content='…' id='…'`, i.e. `str(message)`)
 * instead of JSON; `conversation` frames are unaffected.
 */
import { ReferenceTarget } from '../reference/server.js';
import { defineMutant } from './mutant.js';

/** Python's `repr()` of a pydantic model: `field='value' field2=…`. */
function pydanticRepr(data: unknown): string {
  if (data === null || typeof data !== 'object') return String(data);
  return Object.entries(data as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? `'${v.replace(/'/g, "\\'")}'` : String(v)}`)
    .join(' ');
}

export default defineMutant({
  id: 'sse-invalid-json',
  description: 'message frames carry the message model repr instead of JSON in data',
  catches: ['sse.data-json'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override sseFrame(event: string, data: unknown): string {
        return event === 'message' ? `event: ${event}\ndata: ${pydanticRepr(data)}\n\n` : super.sseFrame(event, data);
      }
    })(),
});
