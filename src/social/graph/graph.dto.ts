import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { ContextSchema } from '@app/platform';
import { ProfileView } from '../profiles/profiles.dto.js';

/** Cursors are base64url JSON: letters, digits, `-` and `_`. */
export const CURSOR_PATTERN = '^[A-Za-z0-9_-]+$';

/** Every social page's `nextCursor`. */
export const NEXT_CURSOR: ApiPropertyOptions = {
  type: String,
  nullable: true,
  pattern: CURSOR_PATTERN,
  example: null,
  description: 'Pass as `cursor` for the next page; null on the last page',
};

/** A page of profiles (followers, following, your blocks or mutes), newest edge first. */
@ContextSchema('social')
export class ProfilePage {
  @ApiProperty({
    type: [ProfileView],
    description: 'Newest first (by when the follow, block or mute began)',
  })
  items: ProfileView[];
  @ApiProperty(NEXT_CURSOR)
  nextCursor: string | null;
}
