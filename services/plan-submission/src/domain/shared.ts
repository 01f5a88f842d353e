// Value types every aggregate of plan-submission speaks, shaped as the proto3 JSON
// of proto/wenming (camelCase fields, enum names as strings, defaults may be absent),
// so an event's data is its contract payload as stored and published. Pure: no I/O.
import { ValidationError } from '@wenming/service-kit/domain-errors';

export { ForbiddenTransitionError, ValidationError } from '@wenming/service-kit/domain-errors';

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

export interface Ratio {
  basisPoints?: number;
}

export interface DateRange {
  startDate?: string;
  endDate?: string;
}

export interface EvidenceRef {
  evidenceId?: string;
  fileName?: string;
  mediaType?: string;
  sizeBytes?: string | number;
  sha256?: string;
  caption?: string;
  showsUnitName?: boolean;
  [more: string]: unknown;
}

export interface ReviewComment {
  /** Which part: "goals", "tasks", a task id, a criterion id … */
  section?: string;
  comment?: string;
}

// ── Calendar days, as YYYY-MM-DD strings (the domain has no clock) ─────────────

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;

export function isDate(value: string | undefined): value is string {
  const m = value === undefined ? null : DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export function isMonth(value: string | undefined): value is string {
  const m = value === undefined ? null : MONTH.exec(value);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

function daysInMonth(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

export function requireDate(field: string, value: string | undefined): string {
  if (!isDate(value)) throw new ValidationError(field, `must be a calendar day YYYY-MM-DD, got ${JSON.stringify(value ?? '')}`);
  return value;
}

export function requireMonth(field: string, value: string | undefined): string {
  if (!isMonth(value)) throw new ValidationError(field, `must be a month YYYY-MM, got ${JSON.stringify(value ?? '')}`);
  return value;
}

export function requireText(field: string, value: string | undefined, what = 'is required'): string {
  if (value === undefined || value.trim() === '') throw new ValidationError(field, what);
  return value;
}

export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** "每月…次月N日前报": the report for `month` is due on `dueDay` of the next month. */
export function monthlyReportDueDate(month: string, dueDay: number): string {
  return `${nextMonth(month)}-${String(dueDay).padStart(2, '0')}`;
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/** Months from `first` to `last`, both inclusive (empty when first > last). */
export function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let m = first; m <= last; m = nextMonth(m)) out.push(m);
  return out;
}

export function checkDateRange(field: string, range: DateRange | undefined): void {
  const start = requireDate(`${field}.startDate`, range?.startDate);
  const end = requireDate(`${field}.endDate`, range?.endDate);
  if (start > end) throw new ValidationError(`${field}.endDate`, `${end} is before the start ${start}`);
}

export function checkComments(field: string, comments: readonly ReviewComment[] | undefined): ReviewComment[] {
  if (!comments || comments.length === 0) {
    throw new ValidationError(field, 'a returned plan must name what to fix: give at least one review comment');
  }
  comments.forEach((c, i) => {
    requireText(`${field}[${i}].comment`, c.comment, 'must say what to fix');
  });
  return [...comments];
}

export function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
