/** Setup service wired to a real sandbox over HTTP: admin by ROPC, the integration app by client credentials. */
import { BusinessCentralClient, DataverseClient } from '../../../main/clients';
import { openDatabase, type Db } from '../../../main/db/database';
import type { TokenProvider } from '../../../main/http/client';
import { SANDBOX_CLIENTS, SANDBOX_USERS } from '../../../main/sandbox/directory';
import type { SandboxInfo } from '../../../main/sandbox/index';
import { placeholderSolutionPackage } from '../../../main/integrations/sales/setup/handlers';
import { SetupService } from '../../../main/integrations/sales/setup/service';
import { quietLogger } from '../../support/app';
import { BC_RESOURCE, clientCredentials, httpClient, userPassword } from '../clients/harness';

export const APP_CLIENT_ID = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!.clientId;
export const APP_USER_ID = SANDBOX_CLIENTS.find((c) => c.kind === 'confidential')!.applicationUserId!;
export const ADMIN = SANDBOX_USERS.find((u) => u.kind === 'admin')!;

export interface Wiring {
  dataverseUrl: string;
  dataverseApiBase: string;
  bcApiBase?: string;
  info: { identity: SandboxInfo['identity']; clients: Pick<SandboxInfo['clients'], 'integration'> };
}

/** Profiles the tests use: 'admin' (System Administrator, ROPC), 'integration' (the application user), 'bc'. */
export function setupService(w: Wiring): { service: SetupService; db: Db; dataverse: (id: string) => Promise<DataverseClient> } {
  const opened = openDatabase(':memory:');
  const tokens: Record<string, TokenProvider> = {
    admin: userPassword(w.info as SandboxInfo, w.dataverseUrl, ADMIN.username, ADMIN.password),
    integration: clientCredentials(w.info as SandboxInfo, w.dataverseUrl),
  };
  const dataverse = async (id: string) => {
    const auth = tokens[id];
    if (!auth) throw new Error(`test harness: no Dataverse profile ${id}`);
    return new DataverseClient({ http: httpClient(w.dataverseApiBase, auth, { maxRetries: 0 }), auth });
  };
  const bcAuth = clientCredentials(w.info as SandboxInfo, BC_RESOURCE);
  const businessCentral = async (id: string) => {
    if (id !== 'bc' || !w.bcApiBase) throw new Error(`test harness: no Business Central profile ${id}`);
    return new BusinessCentralClient({ http: httpClient(w.bcApiBase, bcAuth, { maxRetries: 0 }) });
  };
  const service = new SetupService({ db: opened.db, logger: quietLogger, dataverse, businessCentral, solutionPackage: placeholderSolutionPackage });
  return { service, db: opened.db, dataverse };
}

export const appUser = { kind: 'application' as const, applicationId: APP_CLIENT_ID };
