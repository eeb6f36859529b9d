import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, MaxLength } from 'class-validator';
import { ContextSchema } from '@app/platform';
import { TOKEN_MAX_LENGTH } from './playback-token.js';

const VIDEO = '0194f3a2-7c1e-7b40-9a8e-3f1c2d4b5a69';
const TOKEN = 'v1.tbq3k0.Yq4Cz0h1r8m3a9yJ2mV8n0eA7pXlUoQwT3bK5sD6fGh';
const MEDIA = `/v1/streaming/media/${VIDEO}/${TOKEN}`;

/** A signed playback URL: the master playlist, and the token every file of the package takes. */
@ContextSchema('streaming')
export class PlaybackView {
  @ApiProperty({
    example: `${MEDIA}/master.m3u8`,
    description:
      'The HLS master playlist (relative to this server). Its URIs are relative, so the media ' +
      'playlists and segments carry the same token; give it to hls.js, Safari or a CDN.',
  })
  url: string;
  @ApiProperty({
    example: TOKEN,
    maxLength: TOKEN_MAX_LENGTH,
    description:
      'The HMAC-SHA256 token (STREAMING_PLAYBACK_SECRET) over the video’s media prefix ' +
      '`/v1/streaming/media/{videoId}/` and `expiresAt`; also `?token=` of the player page',
  })
  token: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-02T14:00:00.000Z' })
  expiresAt: string;
  @ApiProperty({ type: String, nullable: true, example: `${MEDIA}/poster.jpg` })
  posterUrl: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: `${MEDIA}/storyboard.jpg`,
    description: 'The thumbnail strip (null until packaged)',
  })
  storyboardUrl: string | null;
  @ApiProperty({
    example: `/v1/streaming/videos/${VIDEO}/player?token=${TOKEN}`,
    description: 'The player page for this token (open it in a browser)',
  })
  playerUrl: string;
}

@ContextSchema('streaming')
export class PlayerQuery {
  @ApiPropertyOptional({
    example: TOKEN,
    maxLength: TOKEN_MAX_LENGTH,
    pattern: '^v1\\.[0-9a-z]{1,11}\\.[A-Za-z0-9_-]{43}$',
    description:
      'A playback token (`token` of `GET /v1/streaming/videos/{id}/playback`); not needed for ' +
      'public and unlisted videos',
  })
  @IsOptional()
  @MaxLength(TOKEN_MAX_LENGTH)
  @Matches(/^v1\.[0-9a-z]{1,11}\.[A-Za-z0-9_-]{43}$/, { message: 'token must be a playback token' })
  token?: string;
}
