/** The bench's hook into the reference: CONTRACT_REFERENCE_KEY_COPIES grows the key matrix with keys of the same scopes. */
import { afterEach, describe, expect, it } from 'vitest';
import { ReferenceTarget, referenceInfo, serve } from '../targets/reference/server.js';

describe('CONTRACT_REFERENCE_KEY_COPIES (npm run bench, growth runs)', () => {
  afterEach(() => { delete process.env.CONTRACT_REFERENCE_KEY_COPIES; });

  it('unset: the six scoped keys, unlabelled, as before', () => {
    const keys = referenceInfo('http://127.0.0.1:1').keys;
    expect(keys).toHaveLength(6);
    expect(keys.every((k) => k.label === undefined)).toBe(true);
  });

  it('2: every scoped key twice, distinct keys and labels, same scopes; every copy authenticates', async () => {
    process.env.CONTRACT_REFERENCE_KEY_COPIES = '2';
    const server = await serve(new ReferenceTarget(), 0);
    try {
      const keys = server.info.keys;
      expect(keys).toHaveLength(12);
      expect(new Set(keys.map((k) => k.key)).size).toBe(12);
      const copies = keys.filter((k) => k.label);
      expect(copies.map((k) => k.label)).toEqual(copies.map((k) => `${k.scopes.join('+')}#2`));
      for (const k of copies) {
        const original = keys.find((o) => !o.label && o.scopes.join() === k.scopes.join());
        const status = async (key: string) => (await fetch(`${server.url}/api/environments/1/dashboards/`, { headers: { Authorization: `Bearer ${key}` } })).status;
        const [a, b] = [await status(original!.key), await status(k.key)];
        expect(b, k.label).not.toBe(401);
        expect(b, k.label).toBe(a);
      }
    } finally {
      await server.close();
    }
  });
});
