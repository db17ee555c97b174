import type { connstrMethods } from '../../../../preload/contract/sales/connstr';
import type { profileMethods } from '../../../../preload/contract/sales/profiles';
import type { HandlersOf } from '../../../rpc/handlers';
import { buildConnectionString, parseConnectionString, PRE_V16_CHECKLIST, SDK_VERSIONS } from './index';
import type { ProfileService } from './profiles';

/** connstr.*: the connection-string parser and builder (pure: no store, no network). */
export function createConnstrHandlers(): HandlersOf<typeof connstrMethods> {
  return {
    'connstr.parse': async ({ text }) => parseConnectionString(text),
    'connstr.build': async ({ values, maskSecrets }) => buildConnectionString(values, { maskSecrets }),
    'connstr.sdkVersions': async () => SDK_VERSIONS,
    'connstr.checklist': async () => PRE_V16_CHECKLIST,
  };
}

/** profiles.*: saved connection-string profiles (secrets in the secret store). */
export function createProfileHandlers(profiles: ProfileService): HandlersOf<typeof profileMethods> {
  return {
    'profiles.list': () => profiles.list(),
    'profiles.save': (input) => profiles.save(input),
    'profiles.delete': async ({ id }) => ({ deleted: await profiles.delete(id) }),
  };
}
