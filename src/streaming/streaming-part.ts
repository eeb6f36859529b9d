import type { DynamicModule, Provider, Type } from '@nestjs/common';

/**
 * One area of the streaming context (content, encode, playback, search, analytics,
 * recommendations, subscriptions): what it adds to the context's module. Registration order is
 * the order of the paths in the OpenAPI document.
 */
export interface StreamingPart {
  imports: (Type | DynamicModule)[];
  controllers: Type[];
  providers: Provider[];
}
