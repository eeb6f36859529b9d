import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { HANDLE } from '../profiles/profiles.dto.js';
import { DEFAULT_FIRST, MAX_FIRST } from './query-limits.js';

/** `first` and `after` of every list field; out of range → 400 naming the argument. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: DEFAULT_FIRST, description: `1–${MAX_FIRST}` })
  @IsInt()
  @Min(1)
  @Max(MAX_FIRST)
  first: number = DEFAULT_FIRST;

  @Field(() => String, {
    nullable: true,
    description: 'The `endCursor` of the previous page',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  after?: string | null;
}

@ArgsType()
export class PostIdArgs {
  @Field(() => ID, { description: 'A post id (UUID)' })
  @IsUUID()
  id: string;
}

@ArgsType()
export class HandleArgs {
  @Field({ description: 'A handle, without the @ (any case)' })
  @IsString()
  @MaxLength(30)
  @Matches(HANDLE, { message: 'handle must be 1–30 letters, digits or _' })
  handle: string;
}
