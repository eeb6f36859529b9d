import { ApiSchema } from '@nestjs/swagger';

/**
 * A DTO class's schema name, namespaced by its context: `commerce.OrderResponse` (see
 * openapi-conventions.ts). Put it on every DTO class that becomes a schema.
 */
export function ContextSchema(context: string, description?: string): ClassDecorator {
  return (target) => {
    ApiSchema({ name: `${context}.${target.name}`, description })(target);
  };
}
