import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { createHash } from 'node:crypto';
import type { Logger, SecretStore } from '../ports';
import { AppFailure } from '../rpc/errors';

/** Secret name of the MSAL cache for one app registration (client id + authority). */
export function cacheSecretName(clientId: string, authority: string): string {
  const h = createHash('sha256').update(authority.toLowerCase()).digest('hex').slice(0, 16);
  return `auth.cache.${clientId.toLowerCase()}.${h}`;
}

/**
 * Persists one MSAL token cache through the SecretStore, so the serialized cache (refresh tokens!) is encrypted at
 * rest by the host's cipher (safeStorage / key file). Refuses to persist when encryption is unavailable: the
 * SecretStore throws SECRETS_UNAVAILABLE and nothing is written in plain text.
 */
export class SecretStoreCachePlugin implements ICachePlugin {
  constructor(
    private readonly store: SecretStore,
    readonly secretName: string,
    private readonly logger?: Logger,
  ) {}

  async beforeCacheAccess(ctx: TokenCacheContext): Promise<void> {
    let text: string | null;
    try {
      text = await this.store.get(this.secretName);
    } catch (x) {
      if (x instanceof AppFailure && x.code === 'SECRETS_UNAVAILABLE') throw x;
      // A cache written by another host or damaged on disk costs a sign-in, not a crash.
      this.logger?.warn(`Token cache ${this.secretName} could not be read; a new sign-in will be needed`, x instanceof AppFailure ? x.code : (x as Error).message);
      return;
    }
    if (text) {
      try {
        ctx.tokenCache.deserialize(text);
      } catch {
        this.logger?.warn(`Token cache ${this.secretName} is damaged; a new sign-in will be needed`);
      }
    }
  }

  async afterCacheAccess(ctx: TokenCacheContext): Promise<void> {
    if (!ctx.cacheHasChanged) return;
    await this.store.set(this.secretName, ctx.tokenCache.serialize());
  }
}
