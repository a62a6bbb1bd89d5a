/**
 * Input, Output, State and the pattern-matching wildcards, with the string forms the
 * renderer uses for ids (`{"index":0,"type":"pm"}`) and props (`<id>.<prop>`).
 */
import { CallbackDefinitionError } from '../base/errors.ts';

export type WildcardName = 'ALL' | 'MATCH' | 'ALLSMALLER';

export class Wildcard {
  constructor(readonly name: WildcardName) {}
  /** Dash encodes a wildcard inside an id as a one-element array. */
  toJSON(): [WildcardName] {
    return [this.name];
  }
}

export const ALL = new Wildcard('ALL');
export const MATCH = new Wildcard('MATCH');
export const ALLSMALLER = new Wildcard('ALLSMALLER');

export type IdValue = string | number | boolean;
export type PatternId = { [key: string]: IdValue | Wildcard };
export type DependencyId = string | PatternId;
/** A concrete id as the renderer sends it: a string, or an object without wildcards. */
export type ConcreteId = string | { [key: string]: IdValue };

abstract class Dependency {
  constructor(
    readonly id: DependencyId,
    readonly property: string,
  ) {
    validateId(id);
    if (typeof property !== 'string' || property === '' || property.includes('.')) {
      throw new CallbackDefinitionError(
        `invalid property name ${JSON.stringify(property)} on ${idToString(id)}`,
      );
    }
  }

  /** `<stringified id>.<prop>`, as in `changedPropIds` and in the `running` keys. */
  toString(): string {
    return `${idToString(this.id)}.${this.property}`;
  }

  get isPattern(): boolean {
    return typeof this.id !== 'string';
  }

  wildcards(): WildcardName[] {
    if (typeof this.id === 'string') return [];
    return Object.values(this.id)
      .filter((v): v is Wildcard => v instanceof Wildcard)
      .map((w) => w.name);
  }

  /** ALL and ALLSMALLER expand to a list of matching components; MATCH to one. */
  get isMultiValued(): boolean {
    return this.wildcards().some((w) => w === 'ALL' || w === 'ALLSMALLER');
  }

  toDependencyJSON(): { id: string; property: string } {
    return { id: idToString(this.id), property: this.property };
  }
}

export class InputDependency extends Dependency {
  readonly kind = 'input' as const;
}

export class StateDependency extends Dependency {
  readonly kind = 'state' as const;
}

export interface OutputOptions {
  allowDuplicate?: boolean;
}

export class OutputDependency extends Dependency {
  readonly kind = 'output' as const;
  readonly allowDuplicate: boolean;

  constructor(id: DependencyId, property: string, options: OutputOptions = {}) {
    super(id, property);
    this.allowDuplicate = options.allowDuplicate ?? false;
    if (this.wildcards().includes('ALLSMALLER')) {
      throw new CallbackDefinitionError(`ALLSMALLER is not allowed in an Output (${this.toString()})`);
    }
  }
}

/** The public API's call style, as in Dash: `Input('id', 'value')` (no `new`). */
export type Input = InputDependency;
export type State = StateDependency;
export type Output = OutputDependency;
export function Input(id: DependencyId, property: string): Input {
  return new InputDependency(id, property);
}
export function State(id: DependencyId, property: string): State {
  return new StateDependency(id, property);
}
export function Output(id: DependencyId, property: string, options?: OutputOptions): Output {
  return new OutputDependency(id, property, options);
}

function validateId(id: DependencyId): void {
  if (typeof id === 'string') {
    if (id === '') throw new CallbackDefinitionError('a component id must not be empty');
    if (id.includes('.')) {
      throw new CallbackDefinitionError(`component id ${JSON.stringify(id)} must not contain "."`);
    }
    if (id.startsWith('{')) {
      throw new CallbackDefinitionError(`component id ${JSON.stringify(id)} must not start with "{"`);
    }
    return;
  }
  if (typeof id !== 'object' || id === null || Array.isArray(id) || Object.keys(id).length === 0) {
    throw new CallbackDefinitionError(
      `a component id must be a string or a non-empty object, got ${String(id)}`,
    );
  }
  for (const [key, value] of Object.entries(id)) {
    const ok = value instanceof Wildcard || ['string', 'number', 'boolean'].includes(typeof value);
    if (!ok) {
      throw new CallbackDefinitionError(
        `id key ${JSON.stringify(key)} must be a string, number, boolean or wildcard`,
      );
    }
  }
}

/**
 * The renderer's string form of an id: strings as they are, objects as JSON with sorted keys
 * and no spaces, wildcards as `["ALL"]`.
 */
export function idToString(id: DependencyId | ConcreteId): string {
  if (typeof id === 'string') return id;
  const keys = Object.keys(id).sort();
  const parts = keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(id[key])}`);
  return `{${parts.join(',')}}`;
}

/** Does a concrete id (from a request) fit a declared id, wildcards matching any value? */
export function idMatches(declared: DependencyId, concrete: unknown): boolean {
  if (typeof declared === 'string') return concrete === declared;
  if (typeof concrete !== 'object' || concrete === null || Array.isArray(concrete)) return false;
  const concreteRecord = concrete as Record<string, unknown>;
  const declaredKeys = Object.keys(declared);
  if (declaredKeys.length !== Object.keys(concreteRecord).length) return false;
  return declaredKeys.every((key) => {
    const want = declared[key];
    const got = concreteRecord[key];
    if (want instanceof Wildcard) return ['string', 'number', 'boolean'].includes(typeof got);
    return got === want;
  });
}

/** Parses the string form back: `{"a":1}` → object, anything else stays a string. */
export function parseIdString(text: string): ConcreteId {
  if (!text.startsWith('{')) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as { [key: string]: IdValue };
    }
  } catch {
    // not JSON: a plain string id after all
  }
  return text;
}

/** Splits `<id>.<prop>` (`{"a":1}.value` too) at the last dot after the id. */
export function splitPropId(propId: string): { id: ConcreteId; property: string } {
  const end = propId.startsWith('{') ? propId.lastIndexOf('}') + 1 : 0;
  const dot = propId.indexOf('.', end);
  if (dot < 0) return { id: parseIdString(propId), property: '' };
  return { id: parseIdString(propId.slice(0, dot)), property: propId.slice(dot + 1) };
}
