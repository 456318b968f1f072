/** What planning may know before any request: the configured keys, session and foreign project. */
import { remoteTarget, targetFromInfo, type Settings } from './config.js';
import type { PlanTarget } from './families/index.js';

export async function planTarget(s: Settings): Promise<PlanTarget> {
  if (s.baseUrl) return remoteTarget(s);
  const { referenceInfo } = await import('../targets/reference/server.js');
  return targetFromInfo(referenceInfo('http://127.0.0.1'));
}
