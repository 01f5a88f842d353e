// Value types every aggregate of plan-submission speaks, shaped as the proto3 JSON
// of proto/wenming (camelCase fields, enum names as strings, defaults may be absent),
// so an event's data is its contract payload as stored and published. Pure: no I/O.
import { ValidationError } from '@wenming/service-kit/domain-errors';

export { collectViolations, ForbiddenTransitionError, ValidationError } from '@wenming/service-kit/domain-errors';

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

/**
 * Days no campaign of this platform can concern. Every date a command carries falls
 * within its campaign's period; where a command has no campaign (a unit's own rule)
 * or before the period is known (defining the campaign), it falls within these years,
 * so a typo such as 0001 or 9999 is refused instead of stored for good (and walked
 * month by month by the overdue queries).
 */
export const SANE_YEARS = { first: 2000, last: 2100 } as const;
export const SANE_PERIOD: Required<DateRange> = { startDate: `${SANE_YEARS.first}-01-01`, endDate: `${SANE_YEARS.last}-12-31` };

function describePeriod(period: Required<DateRange>): string {
  return period === SANE_PERIOD
    ? `the years ${SANE_YEARS.first}-${SANE_YEARS.last}`
    : `the campaign period ${period.startDate} to ${period.endDate}`;
}

/** The campaign's period when it is a valid range, otherwise the sane window (an old campaign's missing period). */
export function periodOrSane(period: DateRange | undefined): Required<DateRange> {
  const { startDate, endDate } = period ?? {};
  return isDate(startDate) && isDate(endDate) && startDate <= endDate ? { startDate, endDate } : SANE_PERIOD;
}

/** A calendar day within `within` (default: the sane window). */
export function requireDate(field: string, value: string | undefined, within: Required<DateRange> = SANE_PERIOD): string {
  if (!isDate(value)) throw new ValidationError(field, `must be a calendar day YYYY-MM-DD, got ${JSON.stringify(value ?? '')}`);
  if (value < within.startDate || value > within.endDate) throw new ValidationError(field, `${value} is outside ${describePeriod(within)}`);
  return value;
}

/** A month that overlaps `within` (default: the sane window). */
export function requireMonth(field: string, value: string | undefined, within: Required<DateRange> = SANE_PERIOD): string {
  if (!isMonth(value)) throw new ValidationError(field, `must be a month YYYY-MM, got ${JSON.stringify(value ?? '')}`);
  if (value < monthOf(within.startDate) || value > monthOf(within.endDate))
    throw new ValidationError(field, `${value} is outside ${describePeriod(within)}`);
  return value;
}

/** A year that overlaps `within` (default: the sane window). */
export function requireYear(field: string, value: number, within: Required<DateRange> = SANE_PERIOD): number {
  if (!Number.isInteger(value)) throw new ValidationError(field, `must be a year, got ${JSON.stringify(value)}`);
  if (value < Number(within.startDate.slice(0, 4)) || value > Number(within.endDate.slice(0, 4)))
    throw new ValidationError(field, `${value} is outside ${describePeriod(within)}`);
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

export function checkDateRange(field: string, range: DateRange | undefined, within: Required<DateRange> = SANE_PERIOD): void {
  const start = requireDate(`${field}.startDate`, range?.startDate, within);
  const end = requireDate(`${field}.endDate`, range?.endDate, within);
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
