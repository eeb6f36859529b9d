import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiProblems,
  Authenticated,
  CurrentUser,
  Public,
  UuidParam,
  type Principal,
} from '@app/platform';
import { STREAMING_ERRORS } from '../streaming.error.js';
import {
  ChannelAnalytics,
  ChannelAnalyticsQuery,
  MAX_ANALYTICS_DAYS,
  TrendingPage,
  TrendingQuery,
} from './analytics.dto.js';
import { GetChannelAnalytics } from './channel-analytics.handler.js';
import { Trending } from './trending.js';

/** Channel analytics and trending. */
@ApiTags('streaming')
@Controller('v1/streaming')
export class AnalyticsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly trending: Trending,
  ) {}

  @Get('channels/:id/analytics')
  @Authenticated()
  @ApiOperation({
    summary: 'A channel’s analytics: views, watch time, completion rate (owner or admin)',
    description:
      'Over `[from, to)` (default: the last 7 days; at most ' +
      `${MAX_ANALYTICS_DAYS} days): totals, each video (views, watch time in ms, ` +
      'completions and completion rate = completions / views, plus its all-time views) and ' +
      'every hour of the range. Read from the hourly rollup, which recomputes the current ' +
      'and previous hour from the raw heartbeats every STREAMING_ROLLUP_EVERY_MS (5 min by ' +
      'default): `computedAt` says when it last did. Your channel id is your user id. Anyone ' +
      'but the channel and admins gets 403 `streaming.analytics_forbidden`; `from` not before ' +
      '`to`, or too far, 400 naming `from`.',
  })
  @ApiOkResponse({ type: ChannelAnalytics })
  @ApiProblems(STREAMING_ERRORS, ['streaming.analytics_forbidden'], { validated: true })
  getChannelAnalytics(
    @CurrentUser() user: Principal,
    @UuidParam('id', 'The channel id (its owner’s user id)') id: string,
    @Query() query: ChannelAnalyticsQuery,
  ): Promise<ChannelAnalytics> {
    return this.queries.execute(new GetChannelAnalytics(user, id, query));
  }

  @Public()
  @Get('trending')
  @ApiOperation({
    summary: 'Trending videos (a “hot” score over the last 48 h of views)',
    description:
      'READY public videos, hottest first; no token needed. score = log10(1 + Σ 0.5^(age_h / ' +
      '12)) over each video’s views of the last 48 h: a view weighs 1 now, ½ after 12 h, ¼ ' +
      'after a day (Reddit’s hot, with views for votes). When fewer videos were viewed ' +
      'recently than `limit`, the newest follow with score 0.\n\n' +
      'Next: `GET /v1/streaming/videos/{id}/playback` to play one.',
  })
  @ApiOkResponse({ type: TrendingPage })
  @ApiProblems(STREAMING_ERRORS, [], { validated: true })
  async getTrending(@Query() query: TrendingQuery): Promise<TrendingPage> {
    return { items: await this.trending.top(query.limit) };
  }
}
