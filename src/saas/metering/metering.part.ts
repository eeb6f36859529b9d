import type { SaasPart } from '../saas-part.js';
import { UsageRollups } from './rollups.js';
import { UsageIngest } from './usage-ingest.js';
import { UsageController } from './usage.controller.js';
import {
  CreateMeterHandler,
  GetUsageHandler,
  ListMetersHandler,
  RecordUsageHandler,
} from './usage-handlers.js';

/** metering: durable usage intake (group commit), meters, hourly rollups. */
export const METERING_PART: SaasPart = {
  imports: [],
  controllers: [UsageController],
  providers: [
    UsageIngest,
    UsageRollups,
    RecordUsageHandler,
    GetUsageHandler,
    CreateMeterHandler,
    ListMetersHandler,
  ],
};
