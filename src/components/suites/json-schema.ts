/**
 * A component prop's type (its prop-types Descriptor) as JSON Schema, for agents that call an
 * app's callbacks (the MCP server's tool arguments and results). The same reading as the
 * TypeScript types (typescript.ts): every prop that is not required also takes null, and what
 * prop types cannot say in JSON terms (functions, elements, `any`) is left open (`{}`).
 */
import type { Descriptor } from './prop-types.ts';

export type JsonSchema = Record<string, unknown>;

/** The schema of one prop; `{}` (any value) when its descriptor says nothing JSON-shaped. */
export function propSchema(prop: string, descriptor: Descriptor): JsonSchema {
  if (prop === 'id') return { anyOf: [{ type: 'string' }, { type: 'object' }] };
  const schema = prop === 'style' ? STYLE : schemaOf(descriptor);
  return descriptor.required ? schema : nullable(schema);
}

const STYLE: JsonSchema = { type: 'object', additionalProperties: { type: ['string', 'number'] } };

function schemaOf(descriptor: Descriptor): JsonSchema {
  switch (descriptor.kind) {
    case 'string':
      return { type: 'string' };
    case 'number':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'object':
      return { type: 'object' };
    case 'array':
      return { type: 'array' };
    case 'oneOf':
      return literals(descriptor.values);
    case 'oneOfType': {
      const members = descriptor.types.map(schemaOf);
      return members.some(isOpen) ? {} : union(members);
    }
    case 'arrayOf':
      return { type: 'array', items: schemaOf(descriptor.of) };
    case 'objectOf':
      return { type: 'object', additionalProperties: schemaOf(descriptor.of) };
    case 'shape':
    case 'exact': {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const [key, value] of Object.entries(descriptor.shape)) {
        properties[key] = value.required ? schemaOf(value) : nullable(schemaOf(value));
        if (value.required) required.push(key);
      }
      const schema: JsonSchema = { type: 'object', properties };
      if (required.length > 0) schema.required = required;
      if (descriptor.kind === 'exact') schema.additionalProperties = false;
      return schema;
    }
    default:
      // node (components or text), func, element, elementType, symbol, bigint, instanceOf, any.
      return {};
  }
}

/** `oneOf([...])`: its JSON values, else (a value JSON cannot carry) anything. */
function literals(values: unknown[]): JsonSchema {
  const json = values.filter(
    (v) => v === null || typeof v === 'string' || typeof v === 'boolean' || Number.isFinite(v),
  );
  return json.length === values.length && json.length > 0 ? { enum: json } : {};
}

/** One of several schemas, as short as it can be said: plain types and literals merged. */
function union(schemas: JsonSchema[]): JsonSchema {
  const types: string[] = [];
  const literals: unknown[] = [];
  const others: JsonSchema[] = [];
  for (const schema of schemas.flatMap((s) => (isAnyOf(s) ? (s.anyOf as JsonSchema[]) : [s]))) {
    if (isPlainType(schema)) types.push(...[schema.type as string | string[]].flat());
    else if (isEnum(schema)) literals.push(...(schema.enum as unknown[]));
    else others.push(schema);
  }
  let uniqueTypes = [...new Set(types)];
  // Literals or null: one enum.
  if (uniqueTypes.length === 1 && uniqueTypes[0] === 'null' && literals.length > 0) {
    literals.push(null);
    uniqueTypes = [];
  }
  const parts: JsonSchema[] = [...others];
  if (uniqueTypes.length > 0)
    parts.unshift({ type: uniqueTypes.length === 1 ? uniqueTypes[0] : uniqueTypes });
  if (literals.length > 0) parts.push({ enum: [...new Set(literals)] });
  return parts.length === 1 ? parts[0]! : { anyOf: parts };
}

function nullable(schema: JsonSchema): JsonSchema {
  return isOpen(schema) ? schema : union([schema, { type: 'null' }]);
}

function isPlainType(schema: JsonSchema): boolean {
  return Object.keys(schema).length === 1 && schema.type !== undefined;
}

function isEnum(schema: JsonSchema): boolean {
  return Object.keys(schema).length === 1 && Array.isArray(schema.enum);
}

function isAnyOf(schema: JsonSchema): boolean {
  return Object.keys(schema).length === 1 && Array.isArray(schema.anyOf);
}

function isOpen(schema: JsonSchema): boolean {
  return Object.keys(schema).length === 0;
}
