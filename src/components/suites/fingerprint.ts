/**
 * Fingerprinted file names, as Dash's dash/fingerprint.py: the version and a stamp in the name,
 * so a URL changes when its file does and can be cached for a year. Component suites' URLs are
 * made with it (package-files.ts) and the host serves them (app/static-files.ts).
 */

const FINGERPRINT = /^v[\w-]+m[0-9a-fA-F]+$/;

/** `dir/name.rest` → `dir/name.v<version>m<stamp>.rest`, split at the file name's first dot. */
export function fingerprint(filePath: string, version: string, stamp: number | string): string {
  const slash = filePath.lastIndexOf('/');
  const dir = filePath.slice(0, slash + 1);
  const base = filePath.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot < 0) return filePath;
  return `${dir}${base.slice(0, dot)}.v${version.replace(/\W/g, '_')}m${stamp}${base.slice(dot)}`;
}

/** Inverse of `fingerprint`; names without one come back unchanged, with `fingerprinted: false`. */
export function stripFingerprint(filePath: string): { path: string; fingerprinted: boolean } {
  const slash = filePath.lastIndexOf('/');
  const parts = filePath.slice(slash + 1).split('.');
  if (parts.length > 2 && FINGERPRINT.test(parts[1]!)) {
    parts.splice(1, 1);
    return { path: filePath.slice(0, slash + 1) + parts.join('.'), fingerprinted: true };
  }
  return { path: filePath, fingerprinted: false };
}
