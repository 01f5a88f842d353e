// A service acting on a caller's behalf (look-back regressing a rectification for the
// office) sends the caller's token and its own: the caller's rights decide, and the
// principal names the service, which the events record as Actor.via (issue 12, item 3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import { ACTING_SERVICE_METADATA, authenticateCall } from './grpc.js';
import type { Principal } from './principal.js';
import type { TokenVerifier } from './tokens.js';

const principals: Record<string, Principal> = {
  office: { id: 'office-1', roles: ['office'], units: [] },
  lookback: { id: 'service:lookback', roles: [], units: [] },
  inspector: { id: 'insp-1', roles: ['inspector'], units: [] },
};
const verifier: TokenVerifier = {
  verify: async (token) => {
    const p = principals[token];
    if (!p) throw new Error('unknown token');
    return p;
  },
};
const call = (entries: Record<string, string>) => {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(entries)) metadata.set(k, v);
  return { metadata };
};

describe('authenticateCall with an acting service', () => {
  it("is the caller, with the service that acts for it named from the service's own token", async () => {
    const p = await authenticateCall(verifier, call({ authorization: 'Bearer office', [ACTING_SERVICE_METADATA]: 'Bearer lookback' }));
    assert.deepEqual([p.id, p.roles, p.actingService], ['office-1', ['office'], 'service:lookback']);
  });

  it('is the caller alone without one', async () => {
    const p = await authenticateCall(verifier, call({ authorization: 'Bearer office' }));
    assert.equal(p.actingService, undefined);
  });

  it("refuses a token that is not a service's, and one that does not verify", async () => {
    await assert.rejects(
      authenticateCall(verifier, call({ authorization: 'Bearer office', [ACTING_SERVICE_METADATA]: 'Bearer inspector' })),
      (e: Error) => e.name === 'UnauthenticatedError',
    );
    await assert.rejects(authenticateCall(verifier, call({ authorization: 'Bearer office', [ACTING_SERVICE_METADATA]: 'Bearer forged' })));
  });
});
