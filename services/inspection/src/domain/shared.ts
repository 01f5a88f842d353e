// Value types the inspection aggregates speak, shaped as the proto3 JSON of
// proto/wenming (camelCase fields, enum names as strings), so an event's data is
// its contract payload as stored and published. Pure: no I/O, no clock.
import { ValidationError } from '@wenming/service-kit/domain-errors';

export { ForbiddenTransitionError, PermissionDeniedError, ValidationError } from '@wenming/service-kit/domain-errors';

export interface Person {
  personId?: string;
  name?: string;
  position?: string;
  unitId?: string;
  contact?: string;
}

export interface Points {
  hundredths?: number;
}

export interface DateRange {
  startDate?: string;
  endDate?: string;
}

export interface Actor {
  id?: string;
  role?: string;
  displayName?: string;
}

/** A file kept elsewhere, named by its digest: who attached it and when are part of the reference. */
export interface EvidenceRef {
  evidenceId?: string;
  fileName?: string;
  mediaType?: string;
  sizeBytes?: string | number;
  sha256?: string;
  attachedBy?: Actor;
  attachedAt?: string;
  capturedAt?: string;
  caption?: string;
  showsUnitName?: boolean;
}

export type Severity = 'SEVERITY_MINOR' | 'SEVERITY_GENERAL' | 'SEVERITY_SERIOUS';
export const SEVERITIES: readonly Severity[] = ['SEVERITY_MINOR', 'SEVERITY_GENERAL', 'SEVERITY_SERIOUS'];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SHA256 = /^[0-9a-f]{64}$/;

export function isDate(value: unknown): value is string {
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return days !== undefined && d >= 1 && d <= days;
}

export function requireText(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, 'is required');
  return value;
}

export function requireDate(field: string, value: unknown): string {
  if (!isDate(value)) throw new ValidationError(field, 'must be a calendar day YYYY-MM-DD');
  return value;
}

export function checkSeverity(field: string, value: unknown): Severity {
  if (!SEVERITIES.includes(value as Severity)) throw new ValidationError(field, `must be one of ${SEVERITIES.join(', ')}`);
  return value as Severity;
}

/**
 * Evidence is a reference, not the file: it must say which file (name and sha256
 * digest), who attached it and when, so the record can later be checked against
 * the file wherever it is kept.
 */
export function checkEvidence(field: string, evidence: readonly EvidenceRef[] | undefined): EvidenceRef[] {
  return (evidence ?? []).map((e, i) => {
    const at = `${field}[${i}]`;
    requireText(`${at}.fileName`, e.fileName);
    if (typeof e.sha256 !== 'string' || !SHA256.test(e.sha256))
      throw new ValidationError(`${at}.sha256`, "must be the file's SHA-256 digest, 64 lowercase hex digits");
    requireText(`${at}.attachedBy.id`, e.attachedBy?.id);
    if (typeof e.attachedAt !== 'string' || Number.isNaN(Date.parse(e.attachedAt))) {
      throw new ValidationError(`${at}.attachedAt`, 'must be an RFC 3339 timestamp');
    }
    return e;
  });
}

/**
 * Provenance is the server's (DESIGN §5): who attached a file and when are the
 * caller's id and role from its token and the command's time, whatever the request
 * said, so nobody can file evidence in another's name or backdate it. When the
 * photo was taken is the uploader's to say (`capturedAt`).
 */
export function stampEvidence(evidence: EvidenceRef, by: Actor, at: string): EvidenceRef {
  const { attachedBy: _by, attachedAt: _at, ...rest } = evidence;
  return { ...rest, attachedBy: { ...(by.id ? { id: by.id } : {}), ...(by.role ? { role: by.role } : {}) }, attachedAt: at };
}

export function points(p: Points | undefined): number {
  return p?.hundredths ?? 0;
}

/** An exhaustive switch ends here: adding a command or event without handling it fails to compile. */
export function unreachable(value: never): never {
  throw new Error(`unhandled ${JSON.stringify(value)}`);
}
