import { z } from 'zod';
import { Empty, method } from '../core/rpc';

/** Canonical XRM-tooling keys, in the order the builder writes them. */
export const CANONICAL_KEYS = [
  'AuthType', 'Url', 'Username', 'Password', 'Domain', 'HomeRealmUri', 'AppId', 'ClientSecret', 'RedirectUri',
  'TokenCacheStorePath', 'LoginPrompt', 'Thumbprint', 'StoreName', 'RequireNewInstance', 'SkipDiscovery',
  'IntegratedSecurity', 'ProxyVersion',
] as const;
export type CanonicalKey = (typeof CANONICAL_KEYS)[number];

/** Keys whose values are secrets: masked in the UI, kept in the SecretStore, never read back. */
export const SECRET_KEYS = ['Password', 'ClientSecret'] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

export const AUTH_TYPES = ['AD', 'IFD', 'OAuth', 'Office365', 'ClientSecret', 'Certificate'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const FindingSchema = z.object({
  /** Canonical key the finding is about, or an unknown key as written, or null for the whole string. */
  key: z.string().nullable(),
  code: z.string(),
  message: z.string(),
  params: z.record(z.string(), z.string()).optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const SyntaxErrorSchema = z.object({ code: z.string(), message: z.string(), position: z.number().int() });

export const ParseResultSchema = z.object({
  /** Canonical (or unknown-as-written) key → value, last duplicate wins. */
  values: z.record(z.string(), z.string()),
  authType: z.string().nullable(),
  errors: z.array(FindingSchema),
  warnings: z.array(FindingSchema),
  /** Set when the text does not tokenize (e.g. unterminated quote); values are then empty. */
  syntaxError: SyntaxErrorSchema.nullable(),
});
export type ParseResult = z.infer<typeof ParseResultSchema>;

export const BuildResultSchema = z.object({
  text: z.string(),
  errors: z.array(FindingSchema),
  warnings: z.array(FindingSchema),
});
export type BuildResult = z.infer<typeof BuildResultSchema>;

export const SdkVersionSchema = z.object({
  version: z.number().int(),
  solution: z.string(),
  label: z.string(),
  requiredForOnline: z.boolean(),
});

export const ChecklistItemSchema = z.object({ id: z.string(), title: z.string(), detail: z.string() });

const Values = z.record(z.string().max(200), z.string().max(8192));

export const connstrMethods = {
  'connstr.parse': method(z.object({ text: z.string().max(65536) }).strict(), ParseResultSchema,
    'Parse an XRM-tooling connection string and validate it.'),
  'connstr.build': method(
    z.object({ values: Values, maskSecrets: z.boolean().default(false) }).strict(),
    BuildResultSchema,
    'Serialize values to a connection string (quoting only what must be quoted) and validate them.'),
  'connstr.sdkVersions': method(Empty, z.array(SdkVersionSchema), 'Dynamics 365 SDK versions and their solution packages.'),
  'connstr.checklist': method(Empty, z.array(ChecklistItemSchema), 'Pre-v16 connection checklist.'),
};

export type SdkVersion = z.infer<typeof SdkVersionSchema>;
export type ChecklistItem = z.infer<typeof ChecklistItemSchema>;
