/**
 * The JSON Schema of the component props a callback reads, for its MCP tool's arguments: the
 * layout tells which component each id is (namespace and type), and the prop types of dash-ts's
 * own html and dcc components (components/generated/prop-schemas.ts) tell the prop's schema.
 * Components of other suites, ids not in the layout and props whose type says nothing stay open
 * (any value), as the renderer accepts them.
 */
import { idToString } from '../../callbacks/dependencies.ts';
import { propSchemas } from '../../components/generated/prop-schemas.ts';
import type { JsonSchema, PropSchemaOf } from './tools.ts';

interface Placed {
  namespace: string;
  type: string;
}

/** How deep a layout is walked: deeper nodes are no component an app lays out by hand. */
const MAX_DEPTH = 200;

/** The schemas of the props of `layout`'s components, by id. */
export function layoutSchemas(layout: unknown): PropSchemaOf {
  const placed = new Map<string, Placed>();
  walk(layout, placed, 0, new Set());
  return ({ id, property }) => {
    const key = typeof id === 'string' ? id : idToString(id as never);
    const component = placed.get(key);
    if (!component) return undefined;
    const schema: JsonSchema | undefined = propSchemas[component.namespace]?.[component.type]?.[property];
    return schema && structuredClone(schema);
  };
}

function walk(value: unknown, placed: Map<string, Placed>, depth: number, seen: Set<object>): void {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) walk(item, placed, depth + 1, seen);
    return;
  }
  const node = value as { namespace?: unknown; type?: unknown; props?: unknown };
  // A component, whichever copy of dash-ts built it (or its JSON): namespace, type, props.
  if (typeof node.namespace === 'string' && typeof node.type === 'string' && isRecord(node.props)) {
    const { id } = node.props;
    if (typeof id === 'string' || isRecord(id)) {
      placed.set(typeof id === 'string' ? id : idToString(id as never), {
        namespace: node.namespace,
        type: node.type,
      });
    }
    walk(Object.values(node.props), placed, depth + 1, seen);
    return;
  }
  walk(Object.values(value), placed, depth + 1, seen);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
