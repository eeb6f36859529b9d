import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ADMIN_ROLE,
  ApiProblems,
  Authenticated,
  CurrentUser,
  Roles,
  type Principal,
} from '@app/platform';
import { STREAMING_ERRORS } from '../streaming.error.js';
import { RenditionParams, RenditionRedriveView } from './redrive.dto.js';
import { RedriveRendition } from './redrive-rendition.js';

const REDRIVE = `Admin only. Re-encodes one rendition that FAILED (it exhausted its retries, or \
its source could not be decoded) without redoing the others: the rendition goes back to \
\`PENDING\` with its attempts and error cleared, the video back to \`PROCESSING\` (failure reason \
cleared), and only that rendition's \`streaming.encode\` job is queued again. When it is done the \
package step writes the master playlist and the video turns \`READY\` (\`streaming.video-ready\`, \
published once). Follow it with \`GET /v1/streaming/videos/{id}\` (\`renditions[].state\`, \
\`percent\`). 409 \`streaming.invalid_state\` unless the rendition is \`FAILED\` (\`state\` says \
which it is); 404 for an unknown video or rendition.`;

/** The encode pipeline's admin routes. */
@ApiTags('streaming')
@Authenticated()
@Controller('v1/streaming/videos')
export class RenditionsController {
  constructor(private readonly redrive: RedriveRendition) {}

  @Post(':id/renditions/:name/retry')
  @Roles(ADMIN_ROLE)
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-drive one failed rendition (admin)', description: REDRIVE })
  @ApiAcceptedResponse({ type: RenditionRedriveView })
  @ApiProblems(
    STREAMING_ERRORS,
    ['streaming.video_not_found', 'streaming.rendition_not_found', 'streaming.invalid_state'],
    { validated: true },
  )
  retryRendition(
    @CurrentUser() admin: Principal,
    @Param() { id, name }: RenditionParams,
  ): Promise<RenditionRedriveView> {
    return this.redrive.redrive(id.toLowerCase(), name, admin.userId);
  }
}
