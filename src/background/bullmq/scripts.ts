/**
 * The Lua scripts behind every state change of a job (see keys.ts for the data), one file per
 * script in ./lua/. Each change is one script, so it is atomic however many server processes and
 * workers race: a cancel and a worker's write cannot interleave, and a write carries the token of
 * the attempt that made it, so a cancelled, handed-back or given-up attempt stores nothing more.
 *
 * Shared pieces are includes (./lua/includes/<name>.lua), pulled in by a line
 * `--- @include "<name>"` as in BullMQ's own scripts; each include is expanded once per script.
 * The scripts are read and expanded once per process, at the first connection that defines
 * them. The build copies ./lua/ next to the compiled module (scripts/copy-lua.mjs), so the same
 * relative path serves the sources and the installed package.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { DURATION_BUCKETS_SECONDS, OUTCOME_OF_KIND } from '../records.ts';

/** Each script's file (without `.lua`) and number of KEYS. */
export const SCRIPTS = {
  dashSubmit: { file: 'submit', keys: 9 },
  dashTake: { file: 'take', keys: 8 },
  dashLose: { file: 'lose', keys: 5 },
  dashCancel: { file: 'cancel', keys: 4 },
  dashBegin: { file: 'begin', keys: 5 },
  dashAppend: { file: 'append', keys: 2 },
  dashFinish: { file: 'finish', keys: 8 },
  dashRelease: { file: 'release', keys: 3 },
  dashHandback: { file: 'handback', keys: 4 },
  dashFail: { file: 'fail', keys: 2 },
  dashHeartbeat: { file: 'heartbeat', keys: 1 },
  dashRetire: { file: 'retire', keys: 1 },
  dashPageLoad: { file: 'page-load', keys: 5 },
  dashWatchPage: { file: 'watch-page', keys: 2 },
  dashPagesSeen: { file: 'pages-seen', keys: 1 },
  dashPagesLeft: { file: 'pages-left', keys: 2 },
  dashFindKept: { file: 'find-kept', keys: 1 },
  dashRejoin: { file: 'rejoin', keys: 7 },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

const LUA_DIR = new URL('./lua/', import.meta.url);

/**
 * Includes made from TypeScript values rather than read from a file, so that the values have
 * one home: the monitor's outcome of each JobOutcome kind and its duration buckets (records.ts).
 */
const GENERATED_INCLUDES: Record<string, () => string> = {
  'monitor-constants': () => {
    const kinds = Object.entries(OUTCOME_OF_KIND)
      .map(([kind, outcome]) => `['${kind}'] = '${outcome}'`)
      .join(', ');
    const bounds = DURATION_BUCKETS_SECONDS.map((bound) => bound * 1000).join(', ');
    return [
      '-- Generated from background/records.ts (scripts.ts GENERATED_INCLUDES).',
      `local function monOutcomeOfKind(kind) return ({${kinds}})[kind] end`,
      `local function monBucketBounds() return {${bounds}} end`,
    ].join('\n');
  },
};

const INCLUDE_LINE = /^--- @include "([\w-]+)"[ \t]*$/gm;

/**
 * Replaces each `--- @include "<name>"` line of `source` with that include, itself expanded;
 * an include already expanded into this script becomes nothing.
 */
export function expandIncludes(
  source: string,
  readInclude: (name: string) => string,
  done = new Set<string>(),
): string {
  return source.replace(INCLUDE_LINE, (_line, name: string) => {
    if (done.has(name)) return '';
    done.add(name);
    return expandIncludes(readInclude(name), readInclude, done).trimEnd();
  });
}

function readInclude(name: string): string {
  const generated = GENERATED_INCLUDES[name];
  if (generated) return generated();
  return readFileSync(new URL(`includes/${name}.lua`, LUA_DIR), 'utf8');
}

/** `source` with its includes expanded (for a script not in SCRIPTS, e.g. a test's). */
export function expandScript(source: string): string {
  return expandIncludes(source, readInclude);
}

let loaded: Record<ScriptName, string> | undefined;

/** Every script's expanded Lua, read once per process. */
export function scriptSources(): Record<ScriptName, string> {
  loaded ??= Object.fromEntries(
    Object.entries(SCRIPTS).map(([name, { file }]) => [
      name,
      expandScript(readFileSync(new URL(`${file}.lua`, LUA_DIR), 'utf8')),
    ]),
  ) as Record<ScriptName, string>;
  return loaded;
}

/**
 * Registers the scripts as client commands: ioredis then sends EVALSHA and falls back to EVAL
 * when Redis does not know the script (a restarted Redis has forgotten every script).
 */
export function defineScripts(client: Redis): void {
  const sources = scriptSources();
  for (const [name, { keys }] of Object.entries(SCRIPTS)) {
    client.defineCommand(name, { numberOfKeys: keys, lua: sources[name as ScriptName] });
  }
}

type ScriptArgument = string | number;

/** Runs a registered script: its keys first, then its arguments. */
export function runScript(
  client: Redis,
  name: ScriptName,
  keys: string[],
  args: ScriptArgument[],
): Promise<unknown> {
  const command = (client as unknown as Record<ScriptName, (...a: ScriptArgument[]) => Promise<unknown>>)[
    name
  ];
  return command.call(client, ...keys, ...args);
}
