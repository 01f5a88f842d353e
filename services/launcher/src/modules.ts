// The service modules this build contains. A service joins the platform by adding
// its createModule here; until then the launcher reports it as not built.
import { createInspectionModule } from '@wenming/inspection';
import { createLookbackModule } from '@wenming/lookback';
import { createPlanSubmissionModule } from '@wenming/plan-submission';
import type { CreateModule, ServiceName } from '@wenming/service-kit';

export const MODULES: Partial<Record<ServiceName, CreateModule>> = {
  'plan-submission': createPlanSubmissionModule,
  lookback: createLookbackModule,
  inspection: createInspectionModule,
};
