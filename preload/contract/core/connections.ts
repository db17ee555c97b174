import { z } from 'zod';
import { AppErrorSchema, Empty, method } from './rpc';
import { UploadIdSchema } from './uploads';

/**
 * Connection profiles and sign-in status. Everything here is status: tokens, refresh tokens, client secrets,
 * certificate keys and access keys stay in the main process. Secrets are write-only (`secrets` on save);
 * reads only say which secrets are set.
 */

export const ConnectionKindSchema = z.enum(['dataverse', 'bc-online', 'bc-onprem', 'graph', 'commerce-hq']);
export type ConnectionKind = z.infer<typeof ConnectionKindSchema>;

export const AuthMethodSchema = z.enum(['interactive', 'device-code', 'client-secret', 'certificate', 'bc-access-key']);
export type AuthMethod = z.infer<typeof AuthMethodSchema>;

/** Which sign-in methods make sense for each kind of service (the form offers these; main re-checks on save). */
export const METHODS_BY_KIND: Record<ConnectionKind, AuthMethod[]> = {
  dataverse: ['interactive', 'device-code', 'client-secret', 'certificate'],
  'bc-online': ['interactive', 'device-code', 'client-secret', 'certificate'],
  'bc-onprem': ['bc-access-key'],
  graph: ['interactive', 'device-code', 'client-secret', 'certificate'],
  'commerce-hq': ['interactive', 'device-code', 'client-secret', 'certificate'],
};

export const EnvironmentTierSchema = z.enum(['development', 'test', 'uat', 'production']);
export type EnvironmentTier = z.infer<typeof EnvironmentTierSchema>;

/** Default environment-bar colours per tier; production is red so it is never mistaken for a test system. */
export const TIER_COLOURS: Record<EnvironmentTier, string> = { development: '#2e7d32', test: '#1565c0', uat: '#6a1b9a', production: '#c62828' };

/** Secret slots a profile can hold (names only ever travel over the contract). */
export const ConnectionSecretNameSchema = z.enum(['clientSecret', 'certificatePem', 'accessKey']);
export type ConnectionSecretName = z.infer<typeof ConnectionSecretNameSchema>;

const Guidish = z.string().trim().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'Expected a GUID such as 7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60');
/** Tenant: GUID, a verified domain (contoso.onmicrosoft.com) or organizations/common. */
const Tenant = z.string().trim().min(1).max(256).regex(/^[A-Za-z0-9.-]+$/, 'Tenant must be a tenant id (GUID) or a domain such as contoso.onmicrosoft.com');
const Colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Colour must be #RRGGBB');

export const AppRegistrationSchema = z.object({
  clientId: Guidish,
  /** Tenant the app signs into; empty means "organizations" for delegated flows. */
  tenantId: Tenant.nullable(),
  /** Loopback redirect registered on the app (http://localhost); informative for interactive sign-in. */
  redirectUri: z.string().max(400).nullable(),
  /** https://login.microsoftonline.com unless a national cloud or the sandbox is used. */
  authorityHost: z.string().url().max(400),
});
export type AppRegistration = z.infer<typeof AppRegistrationSchema>;

export const ConnectionFieldsSchema = z.object({
  name: z.string().trim().min(1).max(80),
  kind: ConnectionKindSchema,
  /** Dataverse org URL, BC on-prem service root, Commerce HQ URL; for BC online / Graph an optional API base override. */
  url: z.string().trim().max(400).nullable(),
  /** BC online environment name (Production, Sandbox…). */
  environmentName: z.string().trim().max(100).nullable(),
  /** BC company name used by the sync. */
  company: z.string().trim().max(100).nullable(),
  tier: EnvironmentTierSchema,
  /** Colour of the environment bar; production is shown marked whatever the colour. */
  colour: Colour,
  authMethod: AuthMethodSchema,
  app: AppRegistrationSchema.nullable(),
  /** BC on-prem user name; login hint for interactive sign-in. */
  userName: z.string().trim().max(256).nullable(),
  /** SHA-1 or SHA-256 hex thumbprint of the certificate (certificate auth). */
  certificateThumbprint: z.string().trim().regex(/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/, 'Thumbprint must be 40 (SHA-1) or 64 (SHA-256) hex characters').nullable(),
});
export type ConnectionFields = z.infer<typeof ConnectionFieldsSchema>;

export const ConnectionProfileSchema = ConnectionFieldsSchema.extend({
  id: z.string(),
  /** Which secret slots hold a value; the values never leave main. */
  secretsSet: z.array(ConnectionSecretNameSchema),
  /** Secret slots the auth method needs and that are not set yet (e.g. after an import). */
  secretsMissing: z.array(ConnectionSecretNameSchema),
  /** Secret slots stored under an encryption key that is gone (secret.key deleted or replaced): enter them again. */
  secretsLost: z.array(ConnectionSecretNameSchema).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type ConnectionProfile = z.infer<typeof ConnectionProfileSchema>;

export const AuthStateSchema = z.enum(['signed-out', 'signing-in', 'signed-in', 'auth-required', 'error']);
export type AuthState = z.infer<typeof AuthStateSchema>;

export const AuthStatusSchema = z.object({
  profileId: z.string(),
  state: AuthStateSchema,
  /** "Signed in as" (user name, or the app's client id for application sign-in). */
  account: z.object({ username: z.string(), name: z.string().nullable() }).nullable(),
  /** When the current access token expires (ISO) and how many seconds that is from `at`. */
  expiresAt: z.string().nullable(),
  expiresInSeconds: z.number().int().nullable(),
  scopes: z.array(z.string()),
  /** What went wrong (state error / auth-required), with a code the UI translates. */
  error: AppErrorSchema.nullable(),
  at: z.string(),
});
export type AuthStatus = z.infer<typeof AuthStatusSchema>;

export const DeviceCodeInfoSchema = z.object({
  profileId: z.string(),
  userCode: z.string(),
  verificationUri: z.string(),
  expiresAt: z.string(),
  /** Identity service's own instruction text. */
  message: z.string(),
});
export type DeviceCodeInfo = z.infer<typeof DeviceCodeInfoSchema>;

export const ConnectionTestReportSchema = z.object({
  profileId: z.string(),
  ok: z.boolean(),
  /** Who the service says we are (user name / full name / app). */
  user: z.string().nullable(),
  /** Service/environment version when the service reports one (Dataverse 9.2.x, BC build…). */
  version: z.string().nullable(),
  /** Extra facts for the UI (organisation id, companies found…). */
  details: z.record(z.string(), z.string()),
  tokenMs: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  error: AppErrorSchema.nullable(),
  at: z.string(),
});
export type ConnectionTestReport = z.infer<typeof ConnectionTestReportSchema>;

const Id = z.object({ id: z.string().uuid() }).strict();
const ProfileRef = z.object({ profileId: z.string().uuid() }).strict();

export const ConnectionSaveInputSchema = ConnectionFieldsSchema.extend({
  id: z.string().uuid().optional(),
  /** A string stores/replaces the secret, null deletes it, absent keeps what is stored. */
  secrets: z.partialRecord(ConnectionSecretNameSchema, z.string().max(16384).nullable()).default({}),
}).strict();
export type ConnectionSaveInput = z.input<typeof ConnectionSaveInputSchema>;

export const ConnectionImportResultSchema = z.object({
  imported: z.array(ConnectionProfileSchema),
  /** Names changed to avoid clashing with existing profiles: [original, new]. */
  renamed: z.array(z.tuple([z.string(), z.string()])),
});

export const connectionMethods = {
  'connections.list': method(Empty, z.array(ConnectionProfileSchema), 'All connection profiles (without secrets).'),
  'connections.save': method(ConnectionSaveInputSchema, ConnectionProfileSchema, 'Create or update a connection profile; secrets are write-only.'),
  'connections.delete': method(Id, z.object({ deleted: z.boolean() }), 'Delete a profile, its secrets and its signed-in account.'),
  'connections.duplicate': method(Id.extend({ name: z.string().trim().min(1).max(80).optional() }).strict(), ConnectionProfileSchema, 'Copy a profile without its secrets or sign-in.'),
  'connections.export': method(z.object({ ids: z.array(z.string().uuid()).optional() }).strict(), z.object({ json: z.string(), count: z.number().int() }), 'Profiles as JSON without any secret.'),
  'connections.import': method(z.object({ json: z.string().max(2_000_000).optional(), uploadId: UploadIdSchema.optional() }).strict(), ConnectionImportResultSchema, 'Add profiles from an export; secrets must be entered again.'),
  'connections.test': method(ProfileRef, ConnectionTestReportSchema, 'Sign in silently, call the service and report user, version and latency.'),
  'auth.signIn': method(
    ProfileRef.extend({ method: z.enum(['interactive', 'deviceCode']).optional() }).strict(),
    AuthStatusSchema,
    'Sign in for a profile (system browser or device code for users; secret/certificate for apps).',
  ),
  'auth.cancel': method(ProfileRef, z.object({ cancelled: z.boolean() }), 'Cancel a sign-in in progress.'),
  'auth.signOut': method(ProfileRef, AuthStatusSchema, 'Forget the account and its cached tokens.'),
  'auth.status': method(z.object({ profileId: z.string().uuid().optional() }).strict(), z.array(AuthStatusSchema), 'Sign-in status of one or all profiles.'),
};

export const connectionEvents = {
  'auth.status': AuthStatusSchema,
  'auth.deviceCode': DeviceCodeInfoSchema,
};
