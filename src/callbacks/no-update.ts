/**
 * `noUpdate`: leave an output as it is. It crosses process boundaries (background jobs) as
 * Dash's JSON marker, so recognition is structural as well as by identity.
 */
const NO_UPDATE_JSON = Object.freeze({ _dash_no_update: '_dash_no_update' as const });

export const noUpdate: { readonly toJSON: () => typeof NO_UPDATE_JSON } = Object.freeze({
  toJSON: () => NO_UPDATE_JSON,
});

export type NoUpdate = typeof noUpdate;

export function isNoUpdate(value: unknown): boolean {
  if (value === noUpdate) return true;
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record._dash_no_update === '_dash_no_update' && Object.keys(record).length === 1;
}
