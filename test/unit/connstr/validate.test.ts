import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUTH_TYPES } from '../../../preload/contract/sales/connstr';
import { parseConnectionString } from '../../../main/integrations/sales/connstr';
import { isPlaceholder, REQUIRED_KEYS, validateValues } from '../../../main/integrations/sales/connstr/validate';

const APP = '2b6f1c0e-8d4a-4f3b-9e21-7c5d3a1b0f99';
const SEED =
  'AuthType=OAuth;Username=jsmith@contoso.onmicrosoft.com;Password=****;Url=https://contosotest.crm.dynamics.com;AppId=<your AppId>;RedirectUri=app://<your AppId>;TokenCacheStorePath=;LoginPrompt=Auto';
const GOOD_OAUTH = `AuthType=OAuth;Username=jsmith@contoso.onmicrosoft.com;Password=S3cret!;Url=https://contosotest.crm.dynamics.com;AppId=${APP};RedirectUri=app://${APP};TokenCacheStorePath=;LoginPrompt=Auto;ProxyVersion=91`;

const codes = (fs: { key: string | null; code: string }[]) => fs.map((f) => `${f.key}:${f.code}`).sort();
const check = (text: string) => {
  const r = parseConnectionString(text);
  if (r.syntaxError) throw new Error(r.syntaxError.code);
  return { errors: codes(r.errors), warnings: codes(r.warnings), authType: r.authType, raw: r };
};

describe('validation of the documented pre-v16 example', () => {
  it('flags the AppId placeholder as INVALID_GUID on AppId, the redirect and the password placeholder as warnings', () => {
    const r = check(SEED);
    expect(r.errors).toEqual(['AppId:INVALID_GUID']);
    expect(r.warnings).toEqual(['Password:PASSWORD_PLACEHOLDER', 'RedirectUri:REDIRECT_URI_MISMATCH']);
    expect(r.authType).toBe('OAuth');
    const appErr = r.raw.errors[0]!;
    expect(appErr.message).toContain('<your AppId>');
    expect(appErr.params).toEqual({ key: 'AppId', value: '<your AppId>' });
  });

  it('is clean once filled in correctly', () => {
    const r = check(GOOD_OAUTH);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});

describe('per AuthType', () => {
  it('requires the documented keys for every AuthType', () => {
    for (const a of AUTH_TYPES) {
      const r = validateValues({ AuthType: a });
      const missing = r.errors.filter((e) => e.code === 'MISSING_KEY').map((e) => e.key);
      expect(missing, a).toEqual(expect.arrayContaining([...REQUIRED_KEYS[a]]));
      for (const k of REQUIRED_KEYS[a]) expect(r.errors.find((e) => e.key === k)?.message, `${a}/${k}`).toContain(`AuthType is ${a}`);
    }
    expect(REQUIRED_KEYS.ClientSecret).toContain('ClientSecret');
    expect(REQUIRED_KEYS.IFD).toEqual(['Url', 'Domain', 'Username', 'Password']);
  });

  it('treats empty values as not supplied', () => {
    expect(check(`AuthType=ClientSecret;Url=https://a.crm.dynamics.com;ClientId=${APP};ClientSecret=`).errors).toEqual(['ClientSecret:MISSING_KEY']);
  });

  it('errors on a missing AuthType and on an unknown one, listing the valid types', () => {
    expect(check('Url=https://a.crm.dynamics.com').errors).toContain('AuthType:MISSING_AUTH_TYPE');
    const r = parseConnectionString('AuthType=Kerberos;Url=https://a.crm.dynamics.com');
    const f = r.errors.find((e) => e.code === 'UNKNOWN_AUTH_TYPE')!;
    expect(f.key).toBe('AuthType');
    for (const a of AUTH_TYPES) expect(f.message).toContain(a);
    expect(r.authType).toBeNull();
  });

  it('accepts AuthType in any case but asks for the documented spelling', () => {
    const r = check(GOOD_OAUTH.replace('AuthType=OAuth', 'AuthType=oauth'));
    expect(r.authType).toBe('OAuth');
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual(['AuthType:AUTH_TYPE_CASE']);
  });

  it('reports Office365 as deprecated: an error against Dataverse online, a warning on premises', () => {
    expect(check('AuthType=Office365;Url=https://a.crm4.dynamics.com;Username=a@b.com;Password=x').errors).toEqual(['AuthType:OFFICE365_DEPRECATED']);
    const onPrem = check('AuthType=Office365;Url=https://crm.contoso.local/Contoso;Username=a@b.com;Password=x');
    expect(onPrem.errors).toEqual([]);
    expect(onPrem.warnings).toEqual(['AuthType:OFFICE365_DEPRECATED']);
  });

  it('rejects AD and IFD against Dataverse online', () => {
    expect(check('AuthType=AD;Url=https://a.crm.dynamics.com').errors).toEqual(['AuthType:AUTH_TYPE_ON_PREM_ONLY']);
    expect(check('AuthType=AD;Url=http://crm.contoso.local/Contoso').errors).toEqual([]);
  });

  it('wants DOMAIN\\user for AD/IFD unless Domain is given, and an e-mail for OAuth/Office365', () => {
    expect(check('AuthType=AD;Url=http://crm;Username=jsmith;Password=x').errors).toEqual(['Username:USERNAME_NEEDS_DOMAIN']);
    expect(check('AuthType=AD;Url=http://crm;Username=CONTOSO\\jsmith;Password=x').errors).toEqual([]);
    expect(check('AuthType=AD;Url=http://crm;Username=jsmith;Password=x;Domain=CONTOSO').errors).toEqual([]);
    expect(check(GOOD_OAUTH.replace('jsmith@contoso.onmicrosoft.com', 'CONTOSO\\jsmith')).errors).toEqual(['Username:USERNAME_NOT_EMAIL']);
  });

  it('asks OAuth for credentials the unattended BC server can use', () => {
    const noCreds = GOOD_OAUTH.replace('Username=jsmith@contoso.onmicrosoft.com;', '').replace('Password=S3cret!;', '');
    expect(check(noCreds).warnings).toEqual(['null:OAUTH_NO_CREDENTIALS']);
    expect(check(noCreds + ';Integrated Security=true').warnings).toEqual([]);
    expect(check(GOOD_OAUTH.replace('Password=S3cret!;', '')).errors).toEqual(['Password:MISSING_KEY']);
  });

  it('checks RedirectUri against app://<AppId>, comparing the GUID case-insensitively', () => {
    expect(check(GOOD_OAUTH.replace(`RedirectUri=app://${APP}`, `RedirectUri=app://${APP.toUpperCase()}`)).warnings).toEqual([]);
    const other = parseConnectionString(GOOD_OAUTH.replace(`RedirectUri=app://${APP}`, 'RedirectUri=https://localhost'));
    expect(codes(other.warnings)).toEqual(['RedirectUri:REDIRECT_URI_MISMATCH']);
    expect(other.warnings[0]!.params).toEqual({ expected: `app://${APP}`, value: 'https://localhost' });
    expect(check(GOOD_OAUTH.replace(`RedirectUri=app://${APP}`, 'RedirectUri=not a uri')).errors).toEqual(['RedirectUri:INVALID_URI']);
  });

  it('validates LoginPrompt, booleans, ProxyVersion, Thumbprint and StoreName', () => {
    expect(check(GOOD_OAUTH.replace('LoginPrompt=Auto', 'LoginPrompt=Sometimes')).errors).toEqual(['LoginPrompt:INVALID_LOGIN_PROMPT']);
    expect(check(GOOD_OAUTH.replace('LoginPrompt=Auto', 'LoginPrompt=never')).errors).toEqual([]);
    expect(check(GOOD_OAUTH.replace('LoginPrompt=Auto', 'LoginPrompt=Always')).warnings).toEqual(['LoginPrompt:LOGIN_PROMPT_ALWAYS']);
    expect(check(GOOD_OAUTH + ';RequireNewInstance=yes').errors).toEqual(['RequireNewInstance:INVALID_BOOLEAN']);
    expect(check(GOOD_OAUTH + ';SkipDiscovery=False').errors).toEqual([]);
    expect(check(GOOD_OAUTH.replace('ProxyVersion=91', 'ProxyVersion=7')).errors).toEqual(['ProxyVersion:INVALID_PROXY_VERSION']);
    expect(check(GOOD_OAUTH.replace('ProxyVersion=91', 'ProxyVersion=9')).warnings).toEqual(['ProxyVersion:PROXY_VERSION_ONLINE']);
    expect(check('AuthType=AD;Url=http://crm;ProxyVersion=9').warnings).toEqual([]);
    const cert = `AuthType=Certificate;Url=https://a.crm.dynamics.com;ClientId=${APP};StoreName=My;Thumbprint=`;
    expect(check(cert + 'A909502DD82AE41433E6F83886B00D4277A32A7B').errors).toEqual([]);
    expect(check(cert + '\u200ea9 09 50 2d d8 2a e4 14 33 e6 f8 38 86 b0 0d 42 77 a3 2a 7b').errors).toEqual(['Thumbprint:INVALID_THUMBPRINT']);
    expect(check(cert.replace('StoreName=My', 'StoreName=Mine') + 'A909502DD82AE41433E6F83886B00D4277A32A7B').warnings).toEqual(['StoreName:INVALID_STORE_NAME']);
    expect(check(`AuthType=ClientSecret;Url=https://a.crm.dynamics.com;ClientId=${APP};ClientSecret=abc;StoreName=My`).errors).toEqual(['StoreName:STORE_NAME_WITHOUT_THUMBPRINT']);
  });

  it('checks the Url: absolute, http(s), https for online, the environment root', () => {
    const base = `AuthType=ClientSecret;ClientId=${APP};ClientSecret=abc;Url=`;
    expect(check(base + 'contoso.crm.dynamics.com').errors).toEqual(['Url:URL_NOT_ABSOLUTE']);
    expect(check(base + 'ftp://contoso.crm.dynamics.com').errors).toEqual(['Url:URL_BAD_SCHEME']);
    expect(check(base + 'http://contoso.crm.dynamics.com').errors).toEqual(['Url:URL_HTTPS_REQUIRED']);
    expect(check(base + 'http://crm.contoso.local:5555/Contoso').errors).toEqual([]);
    expect(check(base + 'https://contoso.crm.dynamics.com/main.aspx?appid=1').warnings).toEqual(['Url:URL_HAS_PATH']);
    expect(check(base + 'https://crm.dynamics.com').warnings).toEqual(['Url:URL_NOT_ENVIRONMENT']);
    expect(check(base + 'https://contoso.crm11.dynamics.com/').warnings).toEqual([]);
  });

  it('warns about keys the chosen AuthType ignores, and about unknown keys', () => {
    const r = check(`AuthType=ClientSecret;Url=https://a.crm.dynamics.com;ClientId=${APP};ClientSecret=abc;Username=a@b.com;Certificate={CERTIFICATE}`);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual(['Certificate:UNKNOWN_KEY', 'Username:KEY_NOT_USED']);
  });
});

describe('placeholders', () => {
  it('recognises the usual placeholders and not real passwords', () => {
    for (const p of ['****', '*', '{PASSWORD}', '<password>', '<your password>', '[secret]', '${PASSWORD}', '%PASSWORD%', 'xxxx', '...', 'YourPassword', 'password'])
      expect(isPlaceholder(p), p).toBe(true);
    for (const p of ['S3cret!', 'p@ssw0rd', 'a*b', '{x}y', 'passwords123', 'Tr0ub4dor&3']) expect(isPlaceholder(p), p).toBe(false);
  });

  it('reports a ClientSecret placeholder (BC writes {CLIENTSECRET}) as a warning', () => {
    expect(check(`AuthType=ClientSecret;Url=https://a.crm.dynamics.com;ClientId=${APP};ClientSecret={CLIENTSECRET}`).warnings).toEqual(['ClientSecret:CLIENT_SECRET_PLACEHOLDER']);
  });

  it('never puts a secret value into a message (property)', () => {
    const secret = fc.string({ minLength: 6, maxLength: 20 }).filter((s) => /^[A-Za-z0-9]+$/.test(s) && !isPlaceholder(s));
    const auth = fc.constantFrom(...AUTH_TYPES, 'bogus', '');
    fc.assert(
      fc.property(secret, secret, auth, (pw, cs, a) => {
        const r = validateValues({ AuthType: a, Url: 'http://crm.contoso.local', Password: pw, ClientSecret: cs, Username: 'x' });
        for (const f of [...r.errors, ...r.warnings]) {
          expect(f.message).not.toContain(pw);
          expect(f.message).not.toContain(cs);
          expect(JSON.stringify(f.params ?? {})).not.toContain(pw);
        }
      }),
    );
  });
});
