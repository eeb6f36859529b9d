/**
 * The committed form of the OpenAPI document (`openapi.json`): the served document, pretty
 * printed, with the one value that changes on every boot — the fresh example `Idempotency-Key`
 * Swagger UI pre-fills — replaced by a fixed placeholder.
 */
export function toCommittedDocument(document: unknown): string {
  return `${JSON.stringify(document, stableExamples, 2)}\n`;
}

const PLACEHOLDER = '00000000-0000-7000-8000-000000000000';

function stableExamples(this: unknown, key: string, value: unknown): unknown {
  if (
    value !== null &&
    typeof value === 'object' &&
    (value as { in?: unknown; name?: unknown }).in === 'header' &&
    typeof (value as { name?: unknown }).name === 'string' &&
    (value as { name: string }).name.toLowerCase() === 'idempotency-key'
  ) {
    const parameter = value as { example?: unknown; schema?: { example?: unknown } };
    return {
      ...parameter,
      ...(parameter.example !== undefined ? { example: PLACEHOLDER } : {}),
      ...(parameter.schema?.example !== undefined
        ? { schema: { ...parameter.schema, example: PLACEHOLDER } }
        : {}),
    };
  }
  return value;
}
