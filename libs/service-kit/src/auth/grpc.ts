// The gRPC edge: the token travels in the `authorization` metadata entry, as
// grpcurl (-H 'authorization: Bearer …') and grpc-js call credentials send it.
// Thrown errors become UNAUTHENTICATED through grpcHandler.
import type { Metadata } from '@grpc/grpc-js';
import { UnauthenticatedError } from '../errors/domain-errors.js';
import { bearerToken } from './bearer.js';
import type { Principal } from './principal.js';
import type { TokenVerifier } from './tokens.js';

export async function authenticateCall(verifier: TokenVerifier, call: { metadata: Metadata }): Promise<Principal> {
  const [value] = call.metadata.get('authorization');
  const principal = await verifier.verify(bearerToken(typeof value === 'string' ? value : value?.toString('utf8')));
  // A service acting for the caller (look-back regressing a rectification for the
  // office) forwards the caller's token above and adds its own here: the caller's
  // rights decide, and the events record which service acted (Actor.via).
  const [acting] = call.metadata.get(ACTING_SERVICE_METADATA);
  if (acting === undefined) return principal;
  const service = await verifier.verify(bearerToken(typeof acting === 'string' ? acting : acting.toString('utf8')));
  if (!service.id.startsWith('service:')) {
    throw new UnauthenticatedError(`${ACTING_SERVICE_METADATA} must carry a service's token (subject service:<name>)`);
  }
  return { ...principal, actingService: service.id };
}

/** The metadata entry a service acting on a caller's behalf sends its own bearer token in. */
export const ACTING_SERVICE_METADATA = 'x-wenming-acting-service';
