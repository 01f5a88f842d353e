// Who is calling, and the rules of DESIGN §1/§5 about what they may touch. The
// rules are plain functions that throw PermissionDeniedError, so a handler states
// its policy in one line and both edges report it the same way.
import { PermissionDeniedError } from '../errors/domain-errors.js';

export const ROLES = ['office', 'unit', 'inspector', 'supervisor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The token's `sub`: recorded as the actor of every event this caller causes. */
  id: string;
  roles: readonly Role[];
  /** Unit ids a `unit` user acts for; ignored for the other roles. */
  units: readonly string[];
  /** When the token stops being valid (its `exp`): a server stream opened with it ends then. */
  expiresAt?: Date;
  /**
   * The service calling on this principal's behalf (`service:lookback`), from that
   * service's own verified token (authenticateCall): events record both (DESIGN §5).
   */
  actingService?: string;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Roles that act on any unit: the campaign office, inspectors, supervisors, the city IT admin. */
const CITY_WIDE_WRITERS: readonly Role[] = ['office', 'inspector', 'supervisor', 'admin'];

export function requireRole(principal: Principal, ...roles: Role[]): void {
  if (principal.roles.some((r) => roles.includes(r))) return;
  throw new PermissionDeniedError(`${principal.id} needs one of the roles ${roles.join(', ')} (has ${describeRoles(principal)})`);
}

/** Auditors read everything and change nothing. */
export function requireWrite(principal: Principal): void {
  if (principal.roles.some((r) => r !== 'auditor')) return;
  throw new PermissionDeniedError(`${principal.id} is read-only (${describeRoles(principal)})`);
}

/**
 * A `unit` user reaches only its own units; city-wide roles reach every unit; an
 * auditor reaches every unit to read. Writing (the default) also refuses auditors.
 */
export function requireUnitAccess(principal: Principal, unitId: string, access: 'read' | 'write' = 'write'): void {
  if (access === 'write') requireWrite(principal);
  if (canAccessUnit(principal, unitId, access)) return;
  throw new PermissionDeniedError(`${principal.id} may not ${access === 'read' ? 'read' : 'act for'} unit ${unitId}`);
}

export function canAccessUnit(principal: Principal, unitId: string, access: 'read' | 'write' = 'write'): boolean {
  for (const role of principal.roles) {
    if (CITY_WIDE_WRITERS.includes(role)) return true;
    if (role === 'auditor' && access === 'read') return true;
    if (role === 'unit' && principal.units.includes(unitId)) return true;
  }
  return false;
}

function describeRoles(principal: Principal): string {
  return principal.roles.length > 0 ? principal.roles.join(', ') : 'no role';
}
