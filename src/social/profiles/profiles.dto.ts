import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { ContextSchema } from '@app/platform';
import { mediaUrl } from '../media/media-urls.js';
import type { ProfileRow } from './profile.entity.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Handles as Mastodon has them: letters, digits and `_`, 1–30; unique without regard to case. */
export const HANDLE = /^[A-Za-z0-9_]{1,30}$/;

/** `{handle}` in a path: a 400 naming it when malformed, before any query. */
@ContextSchema('social')
export class HandleParam {
  @ApiProperty({ example: 'ada', description: 'A handle, without the @ (any case)' })
  @IsString()
  @MaxLength(30)
  @Matches(HANDLE, { message: 'handle must be 1–30 letters, digits or _' })
  handle: string;
}

@ContextSchema('social')
export class Relationship {
  @ApiProperty({ description: 'You follow them' }) following: boolean;
  @ApiProperty({ description: 'They follow you' }) followedBy: boolean;
  @ApiProperty({ description: 'You block them' }) blocking: boolean;
  @ApiProperty({ description: 'You mute them' }) muting: boolean;
}

@ContextSchema('social')
export class ProfileView {
  @ApiProperty({ format: 'uuid', example: '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69' }) userId: string;
  @ApiProperty({ example: 'ada', pattern: HANDLE.source }) handle: string;
  @ApiProperty({ example: 'Ada Lovelace' }) displayName: string;
  @ApiProperty({ example: 'Analyst of engines.' }) bio: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '/v1/social/media/0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69/content?size=thumb',
    description: 'The avatar thumbnail; null without one',
  })
  avatarUrl: string | null;
  @ApiProperty({ example: 120 }) followersCount: number;
  @ApiProperty({ example: 80 }) followingCount: number;
  @ApiProperty({ example: 42, description: 'Published posts, comments and shares not deleted' })
  postsCount: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({
    type: Relationship,
    description: 'How you and this profile are related (absent on your own profile)',
  })
  relationship?: Relationship;
}

@ContextSchema('social')
export class UpdateProfileRequest {
  @ApiPropertyOptional({
    example: 'ada_l',
    pattern: HANDLE.source,
    description: 'Case kept; unique regardless of case',
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(30)
  @Matches(HANDLE, { message: 'handle must be 1–30 letters, digits or _' })
  handle?: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(80)
  displayName?: string;

  @ApiPropertyOptional({ example: 'Analyst of engines.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  bio?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'An image you uploaded (`POST /v1/social/media`); null removes the avatar',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  avatarMediaId?: string | null;
}

export function mapProfile(r: ProfileRow, relationship?: Relationship): ProfileView {
  return {
    userId: r.user_id,
    handle: r.handle,
    displayName: r.display_name,
    bio: r.bio,
    avatarUrl: r.avatar_media_id ? mediaUrl(r.avatar_media_id, 'thumb') : null,
    followersCount: r.followers_count,
    followingCount: r.following_count,
    postsCount: r.posts_count,
    createdAt: r.created_at.toISOString(),
    ...(relationship ? { relationship } : {}),
  };
}
