import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsString,
  IsUUID,
  MaxLength,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { ContextSchema, OptionalField } from '@app/platform';
import { NEXT_CURSOR } from '../graph/graph.dto.js';
import { graphemeCount } from './activity.js';
import { PostView } from './post-view.dto.js';

/** Characters a post may have, counted as a reader sees them (grapheme clusters). */
export const MAX_POST_CHARACTERS = 500;
/** Attachments a post may have. */
export const MAX_POST_MEDIA = 4;
/** UTF-16 units a text may have whatever its characters (a grapheme can be arbitrarily long). */
const MAX_TEXT_UNITS = 8000;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** At most `max` user-perceived characters: an emoji family, a flag or `é` written `e` + `´` is one. */
function MaxCharacters(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'maxCharacters',
    validator: {
      // Past MAX_TEXT_UNITS, @MaxLength has refused it already: not segmented at all.
      validate: (value: unknown) =>
        typeof value !== 'string' ||
        (value.length <= MAX_TEXT_UNITS && graphemeCount(value, max) <= max),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'text'} must be at most ${max} characters`,
    },
  });
}

/** Text may be empty only when the post has media. */
function TextOrMedia(): PropertyDecorator {
  return ValidateBy({
    name: 'textOrMedia',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const media = (args?.object as { mediaIds?: unknown } | undefined)?.mediaIds;
        return value !== '' || (Array.isArray(media) && media.length > 0);
      },
      defaultMessage: () => 'text must not be empty unless the post has media',
    },
  });
}

@ContextSchema('social')
export class CreatePostRequest {
  @ApiProperty({
    example: 'Hello, @ada!',
    maxLength: MAX_TEXT_UNITS,
    description:
      `At most ${MAX_POST_CHARACTERS} characters as a reader counts them (an emoji, even a ` +
      'family or a flag, is one), trimmed; empty only with media. `@handle`s mention those ' +
      'profiles (at most 10 are told).',
  })
  @Transform(trim)
  @IsString()
  @MaxLength(MAX_TEXT_UNITS)
  @MaxCharacters(MAX_POST_CHARACTERS)
  @TextOrMedia()
  text: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'uuid', minLength: 36, maxLength: 36 },
    example: [],
    maxItems: MAX_POST_MEDIA,
    uniqueItems: true,
    description: `Up to ${MAX_POST_MEDIA} of your uploads (\`POST /v1/social/media\`), in order`,
  })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(MAX_POST_MEDIA)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  mediaIds?: string[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Makes this a comment on that post (one you can see, not deleted)',
  })
  @OptionalField()
  @IsUUID()
  replyToId?: string;

  @ApiPropertyOptional({
    example: false,
    description: 'Keep it as a draft: only you see it, until `POST /v1/social/posts/{id}/publish`',
  })
  @OptionalField()
  @IsBoolean()
  draft?: boolean;
}

/** A page of posts: a timeline, your drafts, a post's comments. */
@ContextSchema('social')
export class PostPage {
  @ApiProperty({ type: [PostView] }) items: PostView[];
  @ApiProperty(NEXT_CURSOR)
  nextCursor: string | null;
}

/** A post's comments, oldest first, with the post itself (a tombstone when it was deleted). */
@ContextSchema('social')
export class CommentPage extends PostPage {
  @ApiProperty({
    type: PostView,
    description: 'The post commented on; `deleted: true` (no text or media) once deleted',
  })
  parent: PostView;
}
