// The gRPC edge: the token travels in the `authorization` metadata entry, as
// grpcurl (-H 'authorization: Bearer …') and grpc-js call credentials send it.
// Thrown errors become UNAUTHENTICATED through grpcHandler.
import type { Metadata } from '@grpc/grpc-js';
import { bearerToken } from './bearer.js';
import type { Principal } from './principal.js';
import type { TokenVerifier } from './tokens.js';

export async function authenticateCall(verifier: TokenVerifier, call: { metadata: Metadata }): Promise<Principal> {
  const [value] = call.metadata.get('authorization');
  return verifier.verify(bearerToken(typeof value === 'string' ? value : value?.toString('utf8')));
}
