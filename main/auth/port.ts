/**
 * Our own Auth port. The rest of the console talks to this, never to MSAL: msal-node's public-client API is
 * being reshaped across majors (protocols.md §3.1), so a switch of library touches main/auth/ only.
 */

/** Which app registration and resource a token is for. */
export interface AuthTarget {
  /** https authority incl. tenant, e.g. https://login.microsoftonline.com/contoso.onmicrosoft.com */
  authority: string;
  clientId: string;
  /** One resource per request (Entra rule); derived by scopesFor(), never typed by the user. */
  scopes: string[];
}

/** Application credentials for the app user that runs scheduled syncs. */
export type AppCredential =
  | { kind: 'secret'; clientSecret: string }
  /** PEM containing the private key (and ideally the certificate, so expiry and thumbprint can be checked). */
  | { kind: 'certificate'; pem: string; thumbprint: string | null };

export interface AuthAccount {
  homeAccountId: string;
  username: string;
  name: string | null;
  tenantId: string;
}

export interface TokenResult {
  accessToken: string;
  expiresOn: Date | null;
  scopes: string[];
  /** null for application (client credential) tokens. */
  account: AuthAccount | null;
}

export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  expiresAt: Date;
  message: string;
}

export interface InteractiveOptions {
  /** Opens the authorize URL in the system browser (Browser port). */
  openBrowser: (url: string) => Promise<void>;
  signal?: AbortSignal;
  /** How long the user has to finish in the browser. */
  timeoutMs?: number;
  loginHint?: string;
  /** Loopback port registered on the app (redirect http://localhost:<port>); random when absent. */
  preferredPort?: number;
}

export interface DeviceCodeOptions {
  onCode: (prompt: DeviceCodePrompt) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface Auth {
  signInInteractive(target: AuthTarget, opts: InteractiveOptions): Promise<TokenResult>;
  signInDeviceCode(target: AuthTarget, opts: DeviceCodeOptions): Promise<TokenResult>;
  /** Cache first, refresh token next; throws AppFailure AUTH_REQUIRED when only the user can fix it. */
  acquireSilent(target: AuthTarget, homeAccountId: string, opts?: { forceRefresh?: boolean }): Promise<TokenResult>;
  acquireForApp(target: AuthTarget, credential: AppCredential, opts?: { forceRefresh?: boolean }): Promise<TokenResult>;
  /** Remove the account and every token cached for it (per app registration cache). */
  signOut(target: Pick<AuthTarget, 'authority' | 'clientId'>, homeAccountId: string): Promise<void>;
  accounts(target: Pick<AuthTarget, 'authority' | 'clientId'>): Promise<AuthAccount[]>;
}
