import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Public } from '@app/platform';
import { STREAMING_ERRORS } from '../streaming.error.js';
import { SearchVideos } from './search-videos.handler.js';
import { SearchVideosQuery, VideoSearchPage } from './search.dto.js';

/** Full-text video search. */
@ApiTags('streaming')
@Controller('v1/streaming/search')
export class SearchController {
  constructor(private readonly queries: QueryBus) {}

  @Public()
  @Get()
  @ApiOperation({
    summary: 'Search videos: full text, typo tolerance, filters, cursor pages',
    description:
      'READY `public` and `subscribers` videos (never unlisted, private or unfinished ones); ' +
      'no token needed. `q`’s words are matched as prefixes against the title, the tags and ' +
      'the description (PostgreSQL full text, English stemming), ranked by `ts_rank_cd` with ' +
      'the title weighted highest, then tags, then description. When fewer than 5 videos ' +
      'match, titles close to the words (pg_trgm word similarity) are blended in below them, ' +
      'marked `match: fuzzy` — so `mountian` finds "Mountain sunrise". `tag`, `channelId`, ' +
      '`minDurationMs` and `maxDurationMs` combine (AND). Without `q`, the newest first. For ' +
      'the next page send `cursor` = `nextCursor` with the same filters until it is null; ' +
      'pages never overlap. A cursor this endpoint did not issue, `q` over 200 characters or ' +
      '`maxDurationMs` below `minDurationMs` answer 400 naming the field.\n\n' +
      'Next: `GET /v1/streaming/videos/{id}` for a hit, `GET /v1/streaming/videos/{id}/playback` ' +
      'to play it.',
  })
  @ApiOkResponse({ type: VideoSearchPage })
  @ApiProblems(STREAMING_ERRORS, [], { validated: true })
  searchVideos(@Query() query: SearchVideosQuery): Promise<VideoSearchPage> {
    return this.queries.execute(new SearchVideos(query));
  }
}
