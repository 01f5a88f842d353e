// Who may read what of the look-back (DESIGN §1, §5). Auditors, the campaign office
// and the city admin read every unit's history. A unit user reads the timeline and
// the as-of state of its own units only: the seeds make the unit answerable for its
// own record (it reports progress, answers complaints, carries out rectifications),
// so it should see what the record says about it, and the store's unit index already
// scopes the read. Integrity reports and dossiers are the auditor's instruments and
// stay with auditor, office and admin. Inspectors and supervisors work through their
// own services' reads.
import { PermissionDeniedError, type Principal, requireRole } from '@wenming/service-kit';

const READERS = ['auditor', 'office', 'admin'] as const;

export function requireHistoryRead(principal: Principal, unitId: string): void {
  if (principal.roles.some((r) => (READERS as readonly string[]).includes(r))) return;
  if (principal.roles.includes('unit') && principal.units.includes(unitId)) return;
  throw new PermissionDeniedError(
    `${principal.id} may not read the history of unit ${unitId} (needs auditor, office or admin, or a unit user of that unit)`,
  );
}

/** Whether the principal reads every unit's whole history (else only its own units' own events). */
export function readsEveryUnit(principal: Principal): boolean {
  return principal.roles.some((r) => (READERS as readonly string[]).includes(r));
}

export function requireAuditRead(principal: Principal): void {
  requireRole(principal, ...READERS);
}
