// The service modules this build contains. A service joins the platform by adding
// its createModule here; until then the launcher reports it as not built.
import { createInspectionModule, INSPECTION_EVENTS } from '@wenming/inspection';
import { createLookbackModule, LOOKBACK_EVENTS } from '@wenming/lookback';
import { createPlanSubmissionModule, PLAN_SUBMISSION_EVENTS } from '@wenming/plan-submission';
import type { CreateModule, ServiceName } from '@wenming/service-kit';

export const MODULES: Partial<Record<ServiceName, CreateModule>> = {
  'plan-submission': createPlanSubmissionModule,
  lookback: createLookbackModule,
  inspection: createInspectionModule,
};

/**
 * Every built service's streams and context, whether or not it runs in this
 * process: the relay (which runs in one process only) routes all of them.
 */
export const EVENT_ROUTES: ReadonlyArray<{ readonly context: string; readonly categories: readonly string[] }> = [
  PLAN_SUBMISSION_EVENTS,
  INSPECTION_EVENTS,
  LOOKBACK_EVENTS,
];
