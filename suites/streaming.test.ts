/** Streaming: the conversation SSE stream read incrementally, and the conversation lifecycle around it (409, re-attach, cancel, append). */
import { contracts } from '../src/contracts.js';
import { streamingCases } from '../src/families/streaming.js';
import { registerCases } from '../src/vitest.js';

registerCases(contracts().filter((c) => c.streaming).flatMap((c) => streamingCases(c)));
