/**
 * Breaks E4 "`message`: message model, `exclude_none`" (`type` in AssistantMessageType): message
 * frames are dumped with `exclude_defaults` instead, which drops the literal `type` field (a
 * default), so the client cannot tell human, ai and tool messages apart.
 */
import { ReferenceTarget } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-message-without-type',
  description: 'message events carry no `type` field',
  catches: ['sse.event-schema'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override sseFrame(event: string, data: unknown): string {
        if (event !== 'message' || data === null || typeof data !== 'object') return super.sseFrame(event, data);
        const { type: _dropped, ...rest } = data as Record<string, unknown>;
        return super.sseFrame(event, rest);
      }
    })(),
});
