/**
 * Dash's cache_by recipe with a canonical JSON hash instead of Python's repr: the function's
 * source, its callback id, its arguments minus the ignored ones, the triggered inputs unless
 * ignored, and the value of every cacheBy function.
 */
import { createHash } from 'node:crypto';

export interface CacheKeyParts {
  functionSource: string;
  callbackId: string;
  /** Positional values, or one record of values for record-style inputs. */
  args: unknown[];
  recordStyle: boolean;
  ignore: readonly (number | string)[];
  triggered: string[] | null;
  cacheBy: readonly (() => unknown)[];
}

export function buildCacheKey(parts: CacheKeyParts): string {
  const args = parts.recordStyle
    ? withoutKeys(parts.args[0] as Record<string, unknown>, parts.ignore)
    : parts.args.filter((_, i) => !parts.ignore.includes(i));
  const material: Record<string, unknown> = {
    args,
    callback_id: parts.callbackId,
    fn_source: parts.functionSource,
    triggered: parts.triggered,
  };
  parts.cacheBy.forEach((fn, i) => {
    material[`cache_key_${i}`] = fn();
  });
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

function withoutKeys(
  record: Record<string, unknown>,
  ignore: readonly (number | string)[],
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !ignore.includes(key)));
}

/** JSON with sorted object keys, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const plain = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(plain)
          .sort()
          .map((k) => [k, plain[k]]),
      );
    }
    return v;
  });
}
