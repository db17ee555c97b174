import { describe, expect, it } from 'vitest';
import { connectionUrlProblem, environmentUrlFromAppLink } from '../../../preload/contract';
import { validateFields } from '../../../main/connections/model';
import { AppFailure } from '../../../main/rpc/errors';

describe('profile URL rules (shared by the form and main)', () => {
  it('accepts https and loopback http, refuses the rest with what to do', () => {
    expect(connectionUrlProblem('dataverse', 'https://contoso.crm4.dynamics.com/')).toBeNull();
    expect(connectionUrlProblem('dataverse', 'http://127.0.0.1:7400')).toBeNull();
    expect(connectionUrlProblem('dataverse', 'http://contoso.crm4.dynamics.com')).toMatch(/plain http.*Use https:\/\/contoso\.crm4\.dynamics\.com/);
    expect(connectionUrlProblem('dataverse', 'https://u:p@contoso.crm4.dynamics.com')).toMatch(/user name or password/);
    expect(connectionUrlProblem('dataverse', 'https://contoso.crm4.dynamics.com/?x=1')).toMatch(/query/);
    expect(connectionUrlProblem('dataverse', '')).toMatch(/e\.g\. https:\/\/contoso\.crm4\.dynamics\.com/);
    expect(connectionUrlProblem('bc-online', null)).toBeNull(); // optional there
  });

  it('main refuses exactly what the form refuses, with the same message', () => {
    const fields = {
      name: 'x', kind: 'dataverse' as const, url: 'http://contoso.crm4.dynamics.com', environmentName: null, company: null, tier: 'test' as const, colour: '#123456',
      authMethod: 'interactive' as const, app: { clientId: '7d1f4e2a-3c5b-4a69-8e0d-1b2c3d4e5f60', tenantId: null, redirectUri: null, authorityHost: 'https://login.microsoftonline.com' },
      userName: null, certificateThumbprint: null,
    };
    let thrown: unknown;
    try {
      validateFields(fields);
    } catch (x) {
      thrown = x;
    }
    expect(thrown).toBeInstanceOf(AppFailure);
    expect((thrown as AppFailure).message).toBe(connectionUrlProblem('dataverse', fields.url));
    expect((thrown as AppFailure).params).toEqual({ field: 'url' });
  });

  it('a Dataverse app link pasted from the address bar gives its environment URL', () => {
    expect(environmentUrlFromAppLink('https://nordlys.crm4.dynamics.com/main.aspx?appid=8c7c&pagetype=entitylist')).toBe('https://nordlys.crm4.dynamics.com');
    expect(environmentUrlFromAppLink(' https://nordlys.crm4.dynamics.com/main.aspx?forceUCI=1&appid=8c7c ')).toBe('https://nordlys.crm4.dynamics.com');
    expect(environmentUrlFromAppLink('https://nordlys.crm4.dynamics.com')).toBeNull();
    expect(environmentUrlFromAppLink('not a url ?appid=1')).toBeNull();
  });
});
