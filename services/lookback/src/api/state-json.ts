// A unit's state as of an instant, and the difference between two instants, as the
// proto says them (lookback_service.proto's GetUnitStateAsOfResponse and
// DiffUnitStateResponse): the one mapping from the fold (domain/unit-state.ts) to the
// proto's enum names, called by both edges, so HTTP and gRPC answer the same shapes.
// gRPC hands the JSON to the response codec; HTTP answers the codec's proto3 JSON.
import * as svc from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import type { Json } from '@wenming/service-kit';
import type { StateDiff } from '../application/history.js';
import type { UnitState } from '../domain/unit-state.js';

const RECT: Record<string, string> = {
  ordered: 'RECTIFICATION_STATUS_ORDERED',
  acknowledged: 'RECTIFICATION_STATUS_IN_PROGRESS',
  'in-progress': 'RECTIFICATION_STATUS_IN_PROGRESS',
  'completion-reported': 'RECTIFICATION_STATUS_AWAITING_VERIFICATION',
  verified: 'RECTIFICATION_STATUS_VERIFIED',
  reopened: 'RECTIFICATION_STATUS_REOPENED',
  // The proto has no REGRESSED status: a regression reopens the rectification, and `regressions` counts them.
  regressed: 'RECTIFICATION_STATUS_REOPENED',
  closed: 'RECTIFICATION_STATUS_CLOSED',
  'closed-not-rectifiable': 'RECTIFICATION_STATUS_CLOSED_NOT_RECTIFIABLE',
};
const PLAN: Record<string, string> = {
  drafted: 'PLAN_STATUS_DRAFT',
  submitted: 'PLAN_STATUS_SUBMITTED',
  returned: 'PLAN_STATUS_RETURNED',
  approved: 'PLAN_STATUS_APPROVED',
  'amendment-submitted': 'PLAN_STATUS_AMENDMENT_UNDER_REVIEW',
};
const COMPLAINT: Record<string, string> = {
  received: 'COMPLAINT_STATUS_RECEIVED',
  assigned: 'COMPLAINT_STATUS_ASSIGNED',
  forwarded: 'COMPLAINT_STATUS_FORWARDED',
  replied: 'COMPLAINT_STATUS_REPLIED',
  visited: 'COMPLAINT_STATUS_REPLIED',
  satisfied: 'COMPLAINT_STATUS_REPLIED',
  'not-satisfied': 'COMPLAINT_STATUS_REPLIED',
  reopened: 'COMPLAINT_STATUS_REOPENED',
  closed: 'COMPLAINT_STATUS_CLOSED_SOLVED',
  'closed-not-solved': 'COMPLAINT_STATUS_CLOSED_NOT_SOLVED',
};
const CASE: Record<string, string> = {
  opened: 'CASE_STATUS_OPEN',
  investigating: 'CASE_STATUS_INVESTIGATING',
  'facts-recorded': 'CASE_STATUS_INVESTIGATING',
  'measures-decided': 'CASE_STATUS_DECIDED',
  dismissed: 'CASE_STATUS_DISMISSED',
  closed: 'CASE_STATUS_CLOSED',
};
const TITLE: Record<string, string> = {
  awarded: 'TITLE_STATUS_ACTIVE',
  retained: 'TITLE_STATUS_ACTIVE',
  revoked: 'TITLE_STATUS_REVOKED',
  expired: 'TITLE_STATUS_EXPIRED',
};
const LIMIT: Record<string, string> = {
  running: 'TIME_LIMIT_STATUS_RUNNING',
  suspended: 'TIME_LIMIT_STATUS_SUSPENDED',
  met: 'TIME_LIMIT_STATUS_MET',
  breached: 'TIME_LIMIT_STATUS_BREACHED',
  'completed-late': 'TIME_LIMIT_STATUS_COMPLETED_LATE',
  cancelled: 'TIME_LIMIT_STATUS_CANCELLED',
};
const ALARM: Record<string, string> = {
  warning: 'ALARM_LEVEL_WARNING',
  'yellow-card': 'ALARM_LEVEL_YELLOW_CARD',
  'red-card': 'ALARM_LEVEL_RED_CARD',
  accountability: 'ALARM_LEVEL_RED_CARD',
};

/** The fold's state as the proto's UnitStateSnapshot (the steps behind it are the timeline's, on both edges). */
export function snapshotJson(s: UnitState): Json {
  return {
    unit: { unitId: s.unitId, name: s.unit.name ?? '' },
    parentUnitId: s.unit.parentUnitId ?? '',
    ...(s.unit.firstResponsiblePerson ? { firstResponsiblePerson: { name: s.unit.firstResponsiblePerson } } : {}),
    ...(s.asOf ? { asOf: s.asOf } : {}),
    asOfPosition: s.asOfPosition,
    eventCount: s.eventCount,
    plans: Object.values(s.plans).map((p) => ({
      planId: p.planId,
      campaignId: p.campaignId ?? '',
      status: PLAN[p.status] ?? 'PLAN_STATUS_UNSPECIFIED',
      version: p.version,
      overdueTasks: s.asOf
        ? Object.values(p.tasks).filter(
            (t) => t.deadlineDate && t.deadlineDate < s.asOf!.slice(0, 10) && t.completion !== 'TASK_COMPLETION_COMPLETED',
          ).length
        : 0,
      lastEvent: p.lastEvent,
    })),
    rectifications: Object.values(s.rectifications).map((r) => ({
      rectificationId: r.rectificationId,
      findingId: r.findingId ?? '',
      ...(r.findingId && s.findings[r.findingId]?.severity ? { severity: s.findings[r.findingId]!.severity } : {}),
      status: RECT[r.status] ?? 'RECTIFICATION_STATUS_UNSPECIFIED',
      deadlineDate: r.deadlineDate ?? '',
      publicConcern: r.publicConcern,
      regressions: r.regressions,
      lastEvent: r.lastEvent,
    })),
    timeLimits: Object.values(s.timeLimits).map((t) => ({
      timeLimitId: t.timeLimitId,
      status: LIMIT[t.status] ?? 'TIME_LIMIT_STATUS_UNSPECIFIED',
      dueDate: t.dueDate ?? '',
      alarmLevel: (t.alarmLevel && ALARM[t.alarmLevel]) ?? 'ALARM_LEVEL_UNSPECIFIED',
      lastEvent: t.lastEvent,
    })),
    complaints: Object.values(s.complaints).map((c) => ({
      complaintId: c.complaintId,
      status: COMPLAINT[c.status] ?? 'COMPLAINT_STATUS_UNSPECIFIED',
      publicConcern: c.publicConcern,
      lastEvent: c.lastEvent,
    })),
    accountabilityCases: Object.values(s.accountabilityCases).map((c) => ({
      caseId: c.caseId,
      status: CASE[c.status] ?? 'CASE_STATUS_UNSPECIFIED',
      measures: c.measures,
      lastEvent: c.lastEvent,
    })),
    titles: Object.values(s.titles)
      .filter((t) => t.status !== 'not-awarded')
      .map((t) => ({
        awardId: t.awardId,
        ...(t.title ? { title: t.title } : {}),
        status: TITLE[t.status] ?? 'TITLE_STATUS_UNSPECIFIED',
        valid: { startDate: t.validFrom ?? '', endDate: t.validTo ?? '' },
        lastEvent: t.lastEvent,
      })),
    rules: Object.values(s.rules).map((r) => ({
      ruleId: r.ruleId,
      title: r.title ?? '',
      repealed: r.repealed,
      lastEvent: r.lastEvent,
    })),
  };
}

/** The proto enum of each collection's `status` (and a time limit's `alarmLevel`), to say a change's values as the snapshot does. */
const FIELD_ENUMS: Record<string, Record<string, [Record<string, string>, string]>> = {
  plans: { status: [PLAN, 'PLAN_STATUS_UNSPECIFIED'] },
  rectifications: { status: [RECT, 'RECTIFICATION_STATUS_UNSPECIFIED'] },
  complaints: { status: [COMPLAINT, 'COMPLAINT_STATUS_UNSPECIFIED'] },
  accountabilityCases: { status: [CASE, 'CASE_STATUS_UNSPECIFIED'] },
  titles: { status: [TITLE, 'TITLE_STATUS_UNSPECIFIED'] },
  timeLimits: { status: [LIMIT, 'TIME_LIMIT_STATUS_UNSPECIFIED'], alarmLevel: [ALARM, 'ALARM_LEVEL_UNSPECIFIED'] },
};

function enumValue(collection: string, field: string, value: unknown): unknown {
  const mapping = FIELD_ENUMS[collection]?.[field];
  if (!mapping || typeof value !== 'string') return value;
  return mapping[0][value] ?? mapping[1];
}

/** A change's value with the fold's statuses said by their proto names: a whole entry's fields, or one field's value. */
function changeValue(path: string, value: unknown): unknown {
  const m = /^([a-zA-Z]+)\[[^\]]*\](?:\.([a-zA-Z]+))?$/.exec(path);
  if (!m || value === null || value === undefined) return value ?? null;
  const [, collection, field] = m;
  if (field) return enumValue(collection!, field, value);
  if (typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, enumValue(collection!, k, v)]));
}

/** GetUnitStateAsOfResponse's JSON, before its codec (gRPC's reply). */
export function stateResponseJson(state: UnitState): Json {
  return { state: snapshotJson(state) };
}

/** DiffUnitStateResponse's JSON, before its codec (gRPC's reply). */
export function diffResponseJson(diff: StateDiff): Json {
  return {
    fromState: snapshotJson(diff.from),
    toState: snapshotJson(diff.to),
    changes: diff.changes.map((c) => ({
      path: c.path,
      before: changeValue(c.path, c.before),
      after: changeValue(c.path, c.after),
      causedBy: c.causedBy,
    })),
    eventsBetween: diff.eventsBetween,
  };
}

/** GetUnitStateAsOfResponse in proto3 JSON, as a gRPC client's toJSON gives it (HTTP's reply). */
export function stateResponseProto3Json(state: UnitState): Json {
  return svc.GetUnitStateAsOfResponse.toJSON(svc.GetUnitStateAsOfResponse.fromJSON(stateResponseJson(state))) as Json;
}

/** DiffUnitStateResponse in proto3 JSON, as a gRPC client's toJSON gives it (HTTP's reply). */
export function diffResponseProto3Json(diff: StateDiff): Json {
  return svc.DiffUnitStateResponse.toJSON(svc.DiffUnitStateResponse.fromJSON(diffResponseJson(diff))) as Json;
}
