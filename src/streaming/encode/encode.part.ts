import { BullModule } from '@nestjs/bullmq';
import type { StreamingPart } from '../streaming-part.js';
import { ENCODE_QUEUE, EncodeJobs, PACKAGE_QUEUE } from './encode-jobs.js';
import { EncodeOutcomes } from './encode-outcomes.js';
import { EncodeProcessor } from './encode.processor.js';
import { EncodeSweep } from './encode-sweep.js';
import { PackageProcessor } from './package.processor.js';
import { PlanEncodes } from './plan-encodes.consumer.js';
import { RedriveRendition } from './redrive-rendition.js';
import { RenditionOutput } from './rendition-output.js';
import { RenditionsController } from './renditions.controller.js';

/**
 * encode: `streaming.video-uploaded` → the ladder planned → one `streaming.encode` job per
 * rendition → `streaming.package` → READY (or FAILED), and the admin re-drive of one rendition.
 */
export const ENCODE_PART: StreamingPart = {
  imports: [
    BullModule.registerQueue({ name: ENCODE_QUEUE }),
    BullModule.registerQueue({ name: PACKAGE_QUEUE }),
  ],
  controllers: [RenditionsController],
  providers: [
    EncodeJobs,
    EncodeOutcomes,
    RenditionOutput,
    PlanEncodes,
    EncodeProcessor,
    PackageProcessor,
    EncodeSweep,
    RedriveRendition,
  ],
};
