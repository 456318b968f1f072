/**
 * Breaks E4 flow step 4 "Message sent while status != idle -> 409 Conflict("Cannot resume
 * streaming with a new message")": the conflict is raised as a ValidationError, so a second
 * message during a run answers 400 validation_error instead of 409.
 */
import { ReferenceTarget, type HandlerContext, type Reply } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-conflict-400',
  description: 'a second message while the first streams answers 400 instead of 409',
  catches: ['sse.conflict-409'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override conversationsCreate(ctx: HandlerContext): Reply {
        const reply = super.conversationsCreate(ctx);
        return reply.status === 409 ? this.error(400, 'validation_error', 'invalid_input', 'Cannot resume streaming with a new message') : reply;
      }
    })(),
});
