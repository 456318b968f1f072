/** What planning may know before any request: the configured keys, session and foreign project. */
import { remoteTarget, type Settings } from './config.js';
import type { PlanTarget } from './families/index.js';

export async function planTarget(s: Settings): Promise<PlanTarget> {
  if (s.baseUrl) return remoteTarget(s);
  const { referenceInfo } = await import('../targets/reference/server.js');
  const info = referenceInfo('http://127.0.0.1');
  return {
    keys: [{ key: info.apiKey, scopes: ['*'], label: 'star' }, ...info.keys.map((k) => ({ label: k.scopes.join('+'), ...k }))],
    foreignProjectId: info.foreignProjectId, sessionCookie: info.sessionCookie, secondUserKey: info.secondUserKey,
  };
}
