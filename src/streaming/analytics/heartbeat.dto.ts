import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsUUID, Max, Min } from 'class-validator';
import { ContextSchema, OptionalField } from '@app/platform';

/** The most watched time one heartbeat adds, ms: more is clamped (players ping every 5 s). */
export const MAX_HEARTBEAT_WATCH_MS = 30_000;
/** The largest position or watched time accepted, ms (a day). */
export const MAX_HEARTBEAT_MS = 86_400_000;

export const PLAYER_EVENTS = ['play', 'pause', 'ended'] as const;
export type PlayerEvent = (typeof PLAYER_EVENTS)[number];

@ContextSchema('streaming')
export class HeartbeatRequest {
  @ApiProperty({
    format: 'uuid',
    example: '0194f3a2-9d3e-7f00-8a1b-2c3d4e5f6a7b',
    description:
      'The player’s session: a UUID it makes when playback starts and sends with every ' +
      'heartbeat of that playback',
  })
  @IsUUID()
  sessionId: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 15_000,
    description: 'Where the playhead is, ms from the start (clamped to the video’s duration)',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_HEARTBEAT_MS)
  positionMs: number;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 5_000,
    description: `Time actually watched since this session’s previous heartbeat, ms (seeking is not watching); more than ${MAX_HEARTBEAT_WATCH_MS} counts as ${MAX_HEARTBEAT_WATCH_MS}`,
  })
  @IsInt()
  @Min(0)
  @Max(MAX_HEARTBEAT_MS)
  watchedMs: number;

  @ApiPropertyOptional({
    enum: PLAYER_EVENTS,
    example: 'play',
    description: 'What the player just did, if this heartbeat was sent because of it',
  })
  @OptionalField()
  @IsIn(PLAYER_EVENTS)
  event?: PlayerEvent;
}

@ContextSchema('streaming')
export class HeartbeatResponse {
  @ApiProperty({
    example: false,
    description:
      'This heartbeat counted a view: the session has now watched 10 s (or the whole video, ' +
      'when shorter) and your previous counted view of this video is over an hour old',
  })
  counted: boolean;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 15_000,
    description: 'The session’s watched time so far, ms',
  })
  sessionWatchedMs: number;
  @ApiProperty({
    example: false,
    description: 'The session has reached 90 % of the video (a completion, once per session)',
  })
  completed: boolean;
}
