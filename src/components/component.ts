/**
 * A layout node: what `html.Div(...)` and `dcc.Input(...)` build, and what the renderer
 * receives from `/_dash-layout` as `{ type, namespace, props }`.
 */
export type ComponentId = string | { [key: string]: string | number | boolean };

export type Child = Component | string | number | boolean | null | undefined;
export type Children = Child | Child[];

export interface BaseProps {
  id?: ComponentId;
  children?: Children;
}

export class Component<P extends object = Record<string, unknown>> {
  constructor(
    readonly namespace: string,
    readonly type: string,
    readonly props: P,
  ) {}

  toJSON(): { props: P; type: string; namespace: string } {
    return { props: withoutUndefined(this.props), type: this.type, namespace: this.namespace };
  }
}

function withoutUndefined<P extends object>(props: P): P {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    if (value !== undefined) out[key] = value;
  }
  return out as P;
}

/** A builder such as `html.Div`: props are optional when the component needs none. */
export type ComponentBuilder<P extends object> = ((props?: P) => Component<P>) & {
  readonly namespace: string;
  readonly type: string;
};

export function componentBuilder<P extends object>(namespace: string, type: string): ComponentBuilder<P> {
  const build = (props?: P): Component<P> => {
    if (props !== undefined && (typeof props !== 'object' || props === null || Array.isArray(props))) {
      throw new TypeError(`${namespace}.${type}: props must be an object, got ${describe(props)}`);
    }
    return new Component<P>(namespace, type, { ...(props ?? ({} as P)) });
  };
  return Object.assign(build, { namespace, type });
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}
