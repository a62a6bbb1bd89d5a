/**
 * The secret every process sharing the store file signs job handles with: 32 random bytes in the
 * `meta` table, created in an IMMEDIATE transaction (see store.ts) by whichever process asks first.
 */
import { randomBytes } from 'node:crypto';
import type { StoreParts } from './store-parts.ts';

export function sharedSecretTransaction({ db, s }: StoreParts) {
  return db.transaction((): Buffer => {
    // A blob reads as a Uint8Array under node:sqlite; callers get a Buffer either way.
    const existing = s.getMeta.get('secret') as { value: Uint8Array } | undefined;
    if (existing) return Buffer.from(existing.value);
    const secret = randomBytes(32);
    s.putMeta.run('secret', secret);
    return secret;
  });
}
