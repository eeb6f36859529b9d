import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Authenticated, CurrentUser, type Principal, UuidParam } from '@app/platform';
import { STREAMING_ERRORS } from '../streaming.error.js';
import { RecommendationList, RecommendationsQuery } from './recommendations.dto.js';
import { GetRecommendations, GetRelated } from './recommendations.queries.js';

const RECOMMENDATIONS = `Your home shelf, best first. Built from what you watched recently \
(your last 50 counted views): the videos other viewers watched within 24 h of those \
(item-to-item co-visitation, YouTube 2010: \`r(i,j) = c_ij / (c_i · c_j)\`), blended so a recent \
view weighs more (its weight halves every 3 days). Videos you finished are never listed; videos \
you viewed but did not finish rank low. At most 2 videos per channel. Only READY public videos. \
With no history yet (cold start), or to fill the list, the most viewed videos follow \
(\`reason: trending\`). A view counts for this as for the view count (10 s of watching), so a \
new view changes the list within moments.`;

const RELATED = `Videos watched together with this one, best first: the highest \
\`r(i,j) = c_ij / (c_i · c_j)\`, where \`c_ij\` counts viewers who watched both within 24 h \
(at least 2 of them) and \`c_i\` the viewers of each (so a video everybody watches does not top \
every list). Only READY public videos; then the most viewed (\`reason: trending\`) when there are \
not enough. 404 \`streaming.video_not_found\` when you cannot see the video itself.`;

/** Personalised recommendations and related videos (co-visitation). */
@ApiTags('streaming')
@Authenticated()
@Controller('v1/streaming')
export class RecommendationsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('recommendations')
  @ApiOperation({ summary: 'Videos recommended for you', description: RECOMMENDATIONS })
  @ApiOkResponse({ type: RecommendationList })
  @ApiProblems(STREAMING_ERRORS, [], { validated: true })
  getRecommendations(
    @CurrentUser() user: Principal,
    @Query() query: RecommendationsQuery,
  ): Promise<RecommendationList> {
    return this.queries.execute(new GetRecommendations(user.userId, query.limit));
  }

  @Get('videos/:id/related')
  @ApiOperation({ summary: 'Videos watched together with a video', description: RELATED })
  @ApiOkResponse({ type: RecommendationList })
  @ApiProblems(STREAMING_ERRORS, ['streaming.video_not_found'], { validated: true })
  listRelated(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The video id') id: string,
    @Query() query: RecommendationsQuery,
  ): Promise<RecommendationList> {
    return this.queries.execute(new GetRelated(id, user, query.limit));
  }
}
