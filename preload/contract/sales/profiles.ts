import { z } from 'zod';
import { Empty, method } from '../core/rpc';

/** Saved named profiles. Non-secret values are stored in SQLite, secrets in the SecretStore (write-only). */
export const ProfileKindSchema = z.enum(['bc-onprem-connstr']);

export const ProfileSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: ProfileKindSchema,
  values: z.record(z.string(), z.string()),
  /** Names of the secrets stored for this profile; the secrets themselves never leave main. */
  secretsSet: z.array(z.string()),
  /** Secrets stored under an encryption key that is gone (secret.key deleted or replaced): they must be entered again. */
  secretsLost: z.array(z.string()).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Profile = z.infer<typeof ProfileSchema>;

export const profileMethods = {
  'profiles.list': method(Empty, z.array(ProfileSchema), 'All saved profiles (without secrets).'),
  'profiles.save': method(
    z.object({
      id: z.string().uuid().optional(),
      name: z.string().trim().min(1).max(80),
      kind: ProfileKindSchema,
      values: z.record(z.string().max(200), z.string().max(8192)),
      /** A string stores/replaces the secret, null deletes it, absent keeps what is stored. */
      secrets: z.record(z.string().max(200), z.string().max(8192).nullable()).default({}),
    }).strict(),
    ProfileSchema,
    'Create or update a profile; secrets are write-only.'),
  'profiles.delete': method(z.object({ id: z.string().uuid() }).strict(), z.object({ deleted: z.boolean() }), 'Delete a profile and its secrets.'),
};
