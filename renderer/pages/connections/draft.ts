import type { AuthMethod, ConnectionKind, ConnectionProfile, ConnectionSaveInput, ConnectionSecretName, EnvironmentTier } from '../../../preload/contract';
import { DEFAULT_AUTHORITY, FIELDS_FOR, isUserFlow, METHODS_BY_KIND, SECRET_FOR, TIER_COLOURS } from './kinds';

/** What the form edits: flat strings (empty = not set) plus the secret typed in this session (never a stored one). */
export interface Draft {
  id?: string;
  name: string;
  kind: ConnectionKind;
  tier: EnvironmentTier;
  colour: string;
  authMethod: AuthMethod;
  url: string;
  environmentName: string;
  company: string;
  clientId: string;
  tenantId: string;
  authorityHost: string;
  redirectUri: string;
  userName: string;
  certificateThumbprint: string;
  /** Typed secret for the method's slot; '' keeps whatever is stored. */
  secret: string;
  secretsSet: ConnectionSecretName[];
}

export function newDraft(): Draft {
  return {
    name: '', kind: 'dataverse', tier: 'development', colour: TIER_COLOURS.development, authMethod: 'interactive', url: '', environmentName: '',
    company: '', clientId: '', tenantId: '', authorityHost: DEFAULT_AUTHORITY, redirectUri: 'http://localhost', userName: '', certificateThumbprint: '',
    secret: '', secretsSet: [],
  };
}

export function draftOf(p: ConnectionProfile): Draft {
  return {
    id: p.id, name: p.name, kind: p.kind, tier: p.tier, colour: p.colour, authMethod: p.authMethod, url: p.url ?? '', environmentName: p.environmentName ?? '',
    company: p.company ?? '', clientId: p.app?.clientId ?? '', tenantId: p.app?.tenantId ?? '', authorityHost: p.app?.authorityHost ?? DEFAULT_AUTHORITY,
    redirectUri: p.app?.redirectUri ?? '', userName: p.userName ?? '', certificateThumbprint: p.certificateThumbprint ?? '', secret: '', secretsSet: p.secretsSet,
  };
}

/** Changing the kind keeps the method when the new kind offers it, else picks the kind's first method. */
export function withKind(d: Draft, kind: ConnectionKind): Draft {
  const methods = METHODS_BY_KIND[kind];
  return { ...d, kind, authMethod: methods.includes(d.authMethod) ? d.authMethod : methods[0]!, secret: '' };
}

/** A colour still at the old tier's default follows the tier; a colour the user picked stays. */
export function withTier(d: Draft, tier: EnvironmentTier): Draft {
  return { ...d, tier, colour: d.colour.toLowerCase() === TIER_COLOURS[d.tier].toLowerCase() ? TIER_COLOURS[tier] : d.colour };
}

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** The save input: fields the kind/method does not use go as null, and a secret only when one was typed. */
export function toSaveInput(d: Draft): ConnectionSaveInput {
  const f = FIELDS_FOR[d.kind];
  const slot = SECRET_FOR[d.authMethod];
  return {
    ...(d.id ? { id: d.id } : {}),
    name: d.name.trim(),
    kind: d.kind,
    url: orNull(d.url),
    environmentName: f.environmentName ? orNull(d.environmentName) : null,
    company: f.company ? orNull(d.company) : null,
    tier: d.tier,
    colour: d.colour,
    authMethod: d.authMethod,
    app: f.app
      ? {
          clientId: d.clientId.trim(),
          tenantId: orNull(d.tenantId),
          redirectUri: d.authMethod === 'interactive' ? orNull(d.redirectUri) : null,
          authorityHost: d.authorityHost.trim(),
        }
      : null,
    // User name: BC on-prem's web-service user, or the login hint for user sign-in.
    userName: d.kind === 'bc-onprem' || isUserFlow(d.authMethod) ? orNull(d.userName) : null,
    certificateThumbprint: d.authMethod === 'certificate' ? orNull(d.certificateThumbprint) : null,
    secrets: slot && d.secret !== '' ? { [slot]: d.secret } : {},
  };
}
