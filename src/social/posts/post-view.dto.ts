import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { ContextSchema } from '@app/platform';

@ContextSchema('social')
export class PostAuthor {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' }) userId: string;
  @ApiProperty({ example: 'ada' }) handle: string;
  @ApiProperty({ example: 'Ada Lovelace' }) displayName: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Avatar thumbnail URL; null without one',
  })
  avatarUrl: string | null;
}

@ContextSchema('social')
export class PostMedia {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['image', 'video'] }) kind: string;
  @ApiProperty({ example: 'image/jpeg', description: 'Detected from the bytes' })
  contentType: string;
  @ApiProperty({ type: Number, nullable: true, example: 1280 }) width: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 960 }) height: number | null;
  @ApiProperty({
    example: '/v1/social/media/0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69/content?size=display',
  })
  url: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '/v1/social/media/0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69/content?size=thumb',
    description: 'Images only',
  })
  thumbnailUrl: string | null;
}

@ContextSchema('social')
export class PostCounts {
  @ApiProperty({ example: 12 }) likes: number;
  @ApiProperty({ example: 3, description: 'Comments not deleted' }) comments: number;
  @ApiProperty({ example: 1 }) shares: number;
}

/**
 * A post as it appears inside a share (`sharedPost`): everything but `sharedPost` itself, which is
 * always null there (sharing a share shares its original), so the schema is not recursive.
 */
@ContextSchema('social')
export class SharedPostView {
  @ApiProperty({
    format: 'uuid',
    example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69',
    description: 'UUID v7: time-ordered',
  })
  id: string;
  @ApiProperty({ type: PostAuthor }) author: PostAuthor;
  @ApiProperty({ example: 'Hello, world', description: 'Empty for a share and for a deleted post' })
  text: string;
  @ApiProperty({ type: [PostMedia] }) media: PostMedia[];
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'The post this comments on',
  })
  replyToId: string | null;
  @ApiProperty({ type: PostCounts }) counts: PostCounts;
  @ApiProperty({ description: 'You like it' }) likedByMe: boolean;
  @ApiProperty({ description: 'You shared it' }) sharedByMe: boolean;
  @ApiProperty({ description: 'Only its author sees a draft' }) draft: boolean;
  @ApiProperty({
    description:
      'Deleted: shown only as a comment’s parent or a thread’s item, with no text or media',
  })
  deleted: boolean;
  @ApiProperty({ format: 'date-time', description: 'When it was published (created, for a draft)' })
  createdAt: string;
}

@ContextSchema('social')
@ApiExtraModels(SharedPostView)
export class PostView extends SharedPostView {
  // A nullable reference: OpenAPI 3.0 ignores `nullable` beside a `$ref`, so null is its own branch.
  @ApiProperty({
    anyOf: [
      { $ref: getSchemaPath(SharedPostView) },
      { type: 'object', nullable: true, enum: [null] },
    ],
    description: 'For a share: the post shared (null if it is not visible to you)',
  })
  sharedPost: SharedPostView | null;
}
