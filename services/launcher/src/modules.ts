// The service modules this build contains. A service joins the platform by adding
// its createModule here; until then the launcher reports it as not built.
import type { CreateModule, ServiceName } from '@wenming/service-kit';

export const MODULES: Partial<Record<ServiceName, CreateModule>> = {};
