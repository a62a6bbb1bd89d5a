/**
 * The app's secret and what is signed with it: the key of background handles and session cookies,
 * which every server process of the app must agree on, and the page tokens bound to it. Apart
 * from dash.ts because where the secret comes from (the option, DASH_TS_SECRET, the background
 * store) and what to do while the store is away are one concern of their own.
 */
import { randomBytes } from 'node:crypto';
import { HandleSigner } from '../background/handles.ts';
import type { ManagerProvider } from '../background/provider.ts';
import { RetryableOnce } from '../background/retryable-once.ts';
import { BackgroundUnavailableError } from '../base/errors.ts';
import type { Logger } from '../base/log.ts';

export interface AppSecretsDeps {
  /** The app's `secret` option. */
  secretOption: () => string | undefined;
  provider: ManagerProvider;
  logger: Logger;
}

export class AppSecrets {
  readonly #secret = new RetryableOnce<Buffer>();
  readonly #signer = new RetryableOnce<HandleSigner>();

  constructor(private readonly deps: AppSecretsDeps) {}

  /**
   * A signed page token; while the background store is away and holds the only secret, an
   * unsigned one, so the page is still served (its background starts ask for a reload).
   */
  async pageToken(): Promise<string> {
    try {
      return (await this.handleSigner()).newPageToken();
    } catch (error) {
      if (!(error instanceof BackgroundUnavailableError)) throw error;
      this.deps.logger.warn(
        `page served without background jobs (${error.message}); set DASH_TS_SECRET to avoid this`,
      );
      return randomBytes(16).toString('base64url');
    }
  }

  /** The handles' signer, under the shared secret. */
  handleSigner(): Promise<HandleSigner> {
    return this.#signer.run(async () => new HandleSigner(await this.sharedSecret()));
  }

  /**
   * The key of handles and session cookies: the app's option, else DASH_TS_SECRET, else the
   * background store's secret, so every server process sharing the store agrees on it.
   */
  sharedSecret(): Promise<Buffer> {
    return this.#secret.run(async () => {
      const configured = this.configuredSecret();
      if (configured !== undefined) return Buffer.from(configured, 'utf8');
      const manager = await this.deps.provider.startedAppLevel();
      return manager.sharedSecret();
    });
  }

  configuredSecret(): string | undefined {
    return this.deps.secretOption() || process.env.DASH_TS_SECRET || undefined;
  }
}
