/**
 * Which callbacks are MCP tools, and how each is described to an agent (api.md "Agents"): every
 * callback with a `description` is a tool named by its `name`; its arguments are its inputs and
 * state, by the names the jobs API takes (argumentNames), each with the JSON Schema of the
 * component prop it reads where the layout and the prop types tell (props.ts), else any value;
 * its structured result maps each output (`id.property`) to its value (outputs left open). A background callback
 * (and an ordinary stream) may run as a task (`execution.taskSupport: 'optional'`).
 *
 * Left out, with a warning in the log once: callbacks with pattern (wildcard) dependencies, which
 * cannot be called without a page, and callbacks whose name another tool shares.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { AppCallback } from '../../background/callback-spec.ts';
import { argumentNames } from '../../background/jobs-api.ts';
import type { Logger } from '../../base/log.ts';
import type { OutputResponse } from '../../callbacks/outputs.ts';

/** A JSON Schema, as MCP carries it. */
export type JsonSchema = Record<string, unknown>;

/** The schema of the prop an input, state or output names; undefined where it is not known. */
export type PropSchemaOf = (dependency: { id: unknown; property: string }) => JsonSchema | undefined;

/** The callbacks an agent may call, by tool name. */
export function agentTools(
  callbacks: readonly AppCallback[],
  logger: Logger,
  warned: Set<string>,
): Map<string, AppCallback> {
  const warn = (key: string, text: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn(`mcp: ${text}`);
  };
  const byName = new Map<string, AppCallback[]>();
  for (const callback of callbacks) {
    if (callback.description === undefined || callback.cancelRelay || callback.clientside) continue;
    const pattern = [...callback.inputs, ...callback.state, ...callback.outputs].find((d) => d.isPattern);
    if (pattern) {
      warn(callback.id, `callback ${callback.name} is not a tool: its dependency ${pattern} is a pattern`);
      continue;
    }
    byName.set(callback.name, [...(byName.get(callback.name) ?? []), callback]);
  }
  const tools = new Map<string, AppCallback>();
  for (const [name, named] of byName) {
    if (named.length > 1) {
      warn(
        `name:${name}`,
        `${named.length} callbacks are named ${name}: none is a tool; give them distinct names`,
      );
      continue;
    }
    tools.set(name, named[0]!);
  }
  return tools;
}

/** A callback as tools/list shows it. */
export function toolDefinition(callback: AppCallback, schemaOf: PropSchemaOf): Tool {
  const names = argumentNames(callback);
  const properties: Record<string, JsonSchema> = {};
  callback.slots.forEach((slot, i) => {
    const kind = slot.source === 'inputs' ? 'Input' : 'State';
    properties[names[i]!] = {
      ...(schemaOf(slot.dependency) ?? {}),
      description: `${kind} ${slot.dependency}: the value of that component prop (left out: not set)`,
    };
  });
  // Outputs are named but left open: a value the prop types do not list still reaches the page
  // (the renderer does not check), and a client that checked it would lose the result.
  const outputs: Record<string, JsonSchema> = {};
  for (const output of callback.outputs) outputs[output.toString()] = { description: `Output ${output}` };
  const tool: Tool = {
    name: callback.name,
    description: callback.description,
    inputSchema: { type: 'object', properties, additionalProperties: false },
    outputSchema: { type: 'object', properties: outputs },
  };
  if (callback.background) tool.execution = { taskSupport: 'optional' };
  return tool;
}

/** A callback's answer (`{ id: { prop: value } }`) as its structured result (`{ 'id.prop': value }`). */
export function structuredOutputs(response: OutputResponse): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [id, props] of Object.entries(response)) {
    for (const [property, value] of Object.entries(props)) flat[`${id}.${property}`] = value;
  }
  return flat;
}
