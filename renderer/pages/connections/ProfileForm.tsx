import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  makeStyles,
  Select,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { environmentUrlFromAppLink, type AppError } from '../../../preload/contract';
import { EnvironmentBadge } from '../../components/EnvironmentBadge';
import { SecretStoreNotice } from '../../components/SecretStoreNotice';
import { useReturnFocus } from '../../components/useReturnFocus';
import { useConnectionsStore, validateDraft, type FieldErrors } from '../../stores/connections';
import { ErrorText } from './ErrorText';
import { toSaveInput, withKind, withTier, type Draft } from './draft';
import { FIELDS_FOR, isSandboxAuthority, KIND_HELP, KINDS, METHOD_NOTES, METHODS_BY_KIND, SECRET_FOR, TIERS } from './kinds';

const useStyles = makeStyles({
  surface: { maxWidth: '760px', width: '100%' },
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(300px, 1fr))', gap: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}` },
  section: { marginTop: tokens.spacingVerticalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  colourRow: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  swatch: { width: '40px', height: '32px', padding: 0, border: `1px solid ${tokens.colorNeutralStroke1}`, borderRadius: tokens.borderRadiusMedium },
  mono: { fontFamily: tokens.fontFamilyMonospace },
  help: { display: 'block', marginTop: tokens.spacingVerticalM, padding: tokens.spacingHorizontalM, borderLeft: `3px solid ${tokens.colorBrandStroke1}`, backgroundColor: tokens.colorNeutralBackground2 },
});

/** Form field ids → the paths the contract / main report errors on. */
export const FIELD_PATHS: Record<string, string[]> = {
  name: ['name'],
  kind: ['kind'],
  tier: ['tier'],
  colour: ['colour'],
  authMethod: ['authMethod'],
  url: ['url'],
  environmentName: ['environmentName'],
  company: ['company'],
  clientId: ['app.clientId', 'app'],
  tenantId: ['app.tenantId'],
  authorityHost: ['app.authorityHost'],
  redirectUri: ['app.redirectUri'],
  userName: ['userName'],
  certificateThumbprint: ['certificateThumbprint'],
  secret: ['secrets.clientSecret', 'secrets.certificatePem', 'secrets.accessKey', 'secrets'],
};
const KNOWN_PATHS = new Set(Object.values(FIELD_PATHS).flat());

export function ProfileForm({ initial, onClose }: { initial: Draft; onClose(): void }) {
  const { t } = useTranslation('connections');
  const s = useStyles();
  const save = useConnectionsStore((x) => x.save);
  const [d, setD] = useState<Draft>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  // Mounted only while open: focus goes back to Add / Edit when it closes.
  useReturnFocus(true);
  /** The app link a pasted URL was trimmed from (shown as a note under the field). */
  const [trimmedFrom, setTrimmedFrom] = useState<string | null>(null);
  const f = FIELDS_FOR[d.kind];
  const slot = SECRET_FOR[d.authMethod];
  const secretStored = !!slot && d.secretsSet.includes(slot);
  // What the chosen method needs for this kind (Graph: admin consent; Commerce: the Entra applications page), and
  // against the demo sandbox what it cannot do (its apps hold no certificate).
  const methodNote = METHOD_NOTES[d.kind]?.includes(d.authMethod) ? t(`form.methodHint.${d.kind}.${d.authMethod}`) : undefined;
  const sandboxNote = d.authMethod === 'certificate' && f.app && isSandboxAuthority(d.authorityHost) ? t('form.sandboxCertificate', { ns: 'connections' }) : undefined;
  const methodHint = [methodNote, sandboxNote].filter(Boolean).join(' ') || undefined;

  const update = (patch: Partial<Draft>) => {
    const next = { ...d, ...patch };
    setD(next);
    // Once the user has tried to save, keep the messages in step with what they type.
    if (Object.keys(errors).length) setErrors(validateDraft(toSaveInput(next)));
  };

  /** Translated per-field text; the contract's English message when the field has no translation. */
  const fieldError = (id: string) => {
    const path = FIELD_PATHS[id]!.find((p) => errors[p] !== undefined);
    if (!path) return {};
    return { validationState: 'error' as const, validationMessage: t(`form.invalid.${id}`, { defaultValue: errors[path] }) };
  };
  const unplaced = Object.entries(errors).filter(([p]) => !KNOWN_PATHS.has(p));

  const text = (id: keyof Draft & string, opts: { required?: boolean; hint?: string; mono?: boolean; placeholder?: string } = {}) => (
    <Field label={t(`form.${id}`)} required={opts.required} hint={opts.hint} {...fieldError(id)}>
      <Input
        className={opts.mono ? s.mono : undefined}
        value={d[id] as string}
        placeholder={opts.placeholder}
        onChange={(_, v) => update({ [id]: v.value } as Partial<Draft>)}
      />
    </Field>
  );

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setFailure(null);
    const r = await save(toSaveInput(d));
    setBusy(false);
    if (r.ok) return onClose();
    setErrors(r.fieldErrors);
    // Local validation shows inline only; anything from main also gets the translated, actionable message.
    if (r.error.code !== 'BAD_REQUEST' || Object.keys(r.fieldErrors).length === 0) setFailure(r.error);
  };

  return (
    <Dialog open modalType="modal" onOpenChange={(_, x) => !x.open && onClose()}>
      <DialogSurface className={s.surface}>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <DialogBody>
            <DialogTitle>
              {d.id ? t('form.editTitle', { ns: 'connections' }) : t('form.addTitle', { ns: 'connections' })} <EnvironmentBadge tier={d.tier} />
            </DialogTitle>
            <DialogContent>
              {failure ? <ErrorText error={failure} plain /> : null}
              {slot ? <SecretStoreNotice plain dismissible /> : null}
              {unplaced.length ? (
                <Text role="alert" block>
                  {unplaced.map(([p, m]) => `${p}: ${m}`).join(' ')}
                </Text>
              ) : null}
              <div className={s.grid}>
                {text('name', { required: true })}
                <Field label={t('form.kind', { ns: 'connections' })} {...fieldError('kind')}>
                  <Select value={d.kind} onChange={(_, v) => update(withKind(d, v.value as Draft['kind']))}>
                    {KINDS.map((k) => (
                      <option key={k} value={k}>
                        {t(`kind.${k}`)}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label={t('form.tier', { ns: 'connections' })} hint={d.tier === 'production' ? t('form.productionHint', { ns: 'connections' }) : undefined} {...fieldError('tier')}>
                  <Select value={d.tier} onChange={(_, v) => update(withTier(d, v.value as Draft['tier']))}>
                    {TIERS.map((x) => (
                      <option key={x} value={x}>
                        {t(`tier.${x}`)}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label={t('form.colour', { ns: 'connections' })} {...fieldError('colour')}>
                  <div className={s.colourRow}>
                    <input type="color" aria-label={t('form.colourPicker', { ns: 'connections' })} className={s.swatch} value={d.colour} onChange={(e) => update({ colour: e.target.value })} />
                    <Input className={s.mono} aria-label={t('form.colour', { ns: 'connections' })} value={d.colour} onChange={(_, v) => update({ colour: v.value })} />
                  </div>
                </Field>
                <Field
                  label={t(`form.url.${d.kind}`)}
                  required={f.url === 'required'}
                  hint={trimmedFrom ? t('form.urlTrimmed', { ns: 'connections', from: trimmedFrom }) : t(`form.urlHint.${d.kind}`)}
                  {...fieldError('url')}
                >
                  <Input
                    className={s.mono}
                    value={d.url}
                    onChange={(_, v) => {
                      // An address copied from the browser while an app was open (…/main.aspx?appid=…): keep the environment.
                      const env = d.kind === 'dataverse' ? environmentUrlFromAppLink(v.value) : null;
                      setTrimmedFrom(env ? v.value.trim() : null);
                      update({ url: env ?? v.value });
                    }}
                  />
                </Field>
                {f.environmentName ? text('environmentName', { required: true, placeholder: 'Production' }) : null}
                {f.company ? text('company', { hint: t('form.companyHint', { ns: 'connections' }) }) : null}
              </div>
              {KIND_HELP.includes(d.kind) ? (
                <Text className={s.help} data-testid="kind-help" data-kind={d.kind}>
                  {t(`form.kindHelp.${d.kind}`)}
                </Text>
              ) : null}

              <div className={s.section}>
                <Text weight="semibold">{t('form.signInSection', { ns: 'connections' })}</Text>
                <div className={s.grid}>
                  <Field label={t('form.authMethod', { ns: 'connections' })} hint={methodHint ? <span data-testid="method-hint">{methodHint}</span> : undefined} {...fieldError('authMethod')}>
                    <Select value={d.authMethod} onChange={(_, v) => update({ authMethod: v.value as Draft['authMethod'], secret: '' })}>
                      {METHODS_BY_KIND[d.kind].map((m) => (
                        <option key={m} value={m}>
                          {t(`method.${m}`)}
                        </option>
                      ))}
                    </Select>
                  </Field>
                  {f.app ? (
                    <>
                      {text('clientId', { required: true, mono: true, hint: t('form.clientIdHint', { ns: 'connections' }), placeholder: '00000000-0000-0000-0000-000000000000' })}
                      {text('tenantId', { required: d.authMethod === 'client-secret' || d.authMethod === 'certificate' || d.kind === 'bc-online', mono: true, hint: t('form.tenantIdHint', { ns: 'connections' }) })}
                      {text('authorityHost', { required: true, mono: true, hint: t('form.authorityHostHint', { ns: 'connections' }) })}
                      {d.authMethod === 'interactive' ? text('redirectUri', { mono: true, hint: t('form.redirectUriHint', { ns: 'connections' }) }) : null}
                    </>
                  ) : null}
                  {d.kind === 'bc-onprem' || d.authMethod === 'interactive' || d.authMethod === 'device-code'
                    ? text('userName', { required: d.kind === 'bc-onprem', hint: d.kind === 'bc-onprem' ? t('form.userNameHintOnprem', { ns: 'connections' }) : t('form.userNameHint', { ns: 'connections' }) })
                    : null}
                  {d.authMethod === 'certificate' ? text('certificateThumbprint', { required: true, mono: true, hint: t('form.certificateThumbprintHint', { ns: 'connections' }) }) : null}
                </div>
                {slot ? (
                  <Field
                    label={t(`form.secret.${slot}`)}
                    required={!secretStored}
                    hint={secretStored ? t('form.secretStored', { ns: 'connections' }) : t('form.secretHint', { ns: 'connections' })}
                    {...fieldError('secret')}
                  >
                    {slot === 'certificatePem' ? (
                      <Textarea
                        className={s.mono}
                        rows={5}
                        value={d.secret}
                        placeholder={secretStored ? t('form.secretStoredPlaceholder', { ns: 'connections' }) : '-----BEGIN CERTIFICATE-----…-----BEGIN PRIVATE KEY-----…'}
                        onChange={(_, v) => update({ secret: v.value })}
                      />
                    ) : (
                      <Input
                        type="password"
                        autoComplete="new-password"
                        value={d.secret}
                        placeholder={secretStored ? t('form.secretStoredPlaceholder', { ns: 'connections' }) : ''}
                        onChange={(_, v) => update({ secret: v.value })}
                      />
                    )}
                  </Field>
                ) : null}
              </div>
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={onClose}>
                {t('actions.cancel', { ns: 'connections' })}
              </Button>
              {/* Not disabled while saving: disabling the focused button drops focus out of the modal. */}
              <Button appearance="primary" type="submit" aria-busy={busy}>
                {t('actions.save', { ns: 'connections' })}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
