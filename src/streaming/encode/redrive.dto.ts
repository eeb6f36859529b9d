import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { ContextSchema } from '@app/platform';

/** `{id}` and `{name}` of a rendition route. */
@ContextSchema('streaming')
export class RenditionParams {
  @ApiProperty({ example: '01937a5e-4b7c-7d2e-9f00-1a2b3c4d5e6f', format: 'uuid' })
  @IsString()
  @MaxLength(36)
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'id must be a UUID',
  })
  id: string;

  @ApiProperty({ example: '720p', description: 'A rendition name, `<short side>p`' })
  @IsString()
  @MaxLength(6)
  @Matches(/^[0-9]{2,4}p$/, { message: 'name must look like 720p' })
  name: string;
}

/** A re-driven rendition: queued again, its video PROCESSING. */
@ContextSchema('streaming')
export class RenditionRedriveView {
  @ApiProperty({ example: '01937a5e-4b7c-7d2e-9f00-1a2b3c4d5e6f', format: 'uuid' })
  videoId: string;

  @ApiProperty({ example: '720p' })
  rendition: string;

  @ApiProperty({ example: 'PENDING', enum: ['PENDING'] })
  state: 'PENDING';

  @ApiProperty({ example: 'PROCESSING', enum: ['PROCESSING'] })
  videoState: 'PROCESSING';
}
