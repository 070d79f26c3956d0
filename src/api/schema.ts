/** Small JSON Schema builders for request bodies (validated by Fastify's Ajv before a handler runs). */
export const str = (maxLength = 255, minLength = 0) => ({ type: 'string', minLength, maxLength }) as const;
export const bool = { type: 'boolean' } as const;
export const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
export const strList = (maxItems = 100) =>
  ({ type: 'array', items: { type: 'string', maxLength: 255 }, maxItems }) as const;

export function object(properties: Record<string, unknown>, required: string[] = []) {
  return { type: 'object', properties, required, additionalProperties: true };
}
