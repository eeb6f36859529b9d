import { ApiProperty } from '@nestjs/swagger';
import { ContextSchema } from '@app/platform';
import { PostView } from '../posts/post-view.dto.js';

/** A page of your feed, newest first. */
@ContextSchema('social')
export class FeedPage {
  @ApiProperty({
    type: [PostView],
    description:
      'Posts and shares by you and the people you follow, newest first (by id); never comments, ' +
      'drafts, deleted posts, or posts of people you mute or with whom a block stands',
  })
  items: PostView[];
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'eyJpZCI6IjAxOTRmM2EyLTdjMWUtN2I0MC05YThlLTNmMWMyZDRiNWE2OSJ9',
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}
