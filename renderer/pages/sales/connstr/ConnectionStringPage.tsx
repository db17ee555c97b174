import {
  Badge,
  Button,
  Card,
  CardHeader,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Option,
  Radio,
  RadioGroup,
  Text,
  Textarea,
  Title2,
  Toolbar,
  ToolbarButton,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular, EyeOffRegular, EyeRegular, SaveRegular, WrenchRegular } from '@fluentui/react-icons';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AUTH_TYPES, SECRET_KEYS, type CanonicalKey, type Finding } from '../../../../preload/contract';
import { CopyButton } from '../../../components/CopyButton';
import { useReturnFocus } from '../../../components/useReturnFocus';
import { useConnstrStore } from '../../../stores/connstr';
import { RpcError } from '../../../transport/client';
import { ADVANCED_FIELDS, CHOICE_FIELDS, fieldsFor } from './fields';
import { ChecklistCard } from './ChecklistCard';
import { ErrorBar, errorText } from '../../../components/ErrorBar';

const useStyles = makeStyles({
  page: { display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) 340px', gap: tokens.spacingHorizontalL, alignItems: 'start' },
  column: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, minWidth: 0 },
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(300px, 1fr))', gap: tokens.spacingVerticalM + ' ' + tokens.spacingHorizontalL },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace },
  secretRow: { display: 'flex', gap: tokens.spacingHorizontalXS },
  grow: { flexGrow: 1 },
});

const isSecret = (k: string) => (SECRET_KEYS as readonly string[]).includes(k);

/** A value as one of the documented choices, ignoring case and surrounding blanks (null: not one of them). */
export function canonicalChoice<T extends string>(value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  return choices.find((c) => c.toLowerCase() === v);
}

export function ConnectionStringPage() {
  const { t } = useTranslation();
  const s = useStyles();
  const store = useConnstrStore();
  const [revealed, setRevealed] = useState<Record<string, boolean>>({});
  const [confirmCopy, setConfirmCopy] = useState(false);
  useReturnFocus(confirmCopy);
  const [saveDialog, setSaveDialog] = useState<null | { asNew: boolean }>(null);
  useReturnFocus(saveDialog !== null);
  const [profileName, setProfileName] = useState('');
  const [copyError, setCopyError] = useState<string | null>(null);

  useEffect(() => {
    void useConnstrStore.getState().init();
  }, []);

  const tr = (f: Finding) => t(f.code, { ns: 'connstr', ...(f.params ?? {}), defaultValue: f.message });
  // Keys and values are case-insensitive in the grammar: authtype=oauth is OAuth (main warns about the spelling).
  const authType = canonicalChoice(store.values.AuthType, AUTH_TYPES);
  /** Set by a paste into the string box, so the change it causes masks the secrets at once. */
  const pasted = useRef(false);
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const advancedError = store.errors.some((f) => f.key !== null && (ADVANCED_FIELDS as string[]).includes(f.key));
  useEffect(() => {
    if (advancedError) setAdvancedOpen(true);
  }, [advancedError]);

  /** The error count leads to the first error: expand the section it is in, then focus its field. */
  const showFirstError = () => {
    const first = store.errors[0];
    if (!first) return;
    const label = first.key ? t(`fields.${first.key}.label`, { defaultValue: first.key }) : null;
    if (first.key && (ADVANCED_FIELDS as string[]).includes(first.key)) setAdvancedOpen(true);
    setTimeout(() => {
      const target = (label && Array.from(document.querySelectorAll<HTMLElement>('[aria-label]')).find((el) => el.getAttribute('aria-label') === label)) ||
        document.querySelector<HTMLElement>('[data-testid="connstr-general"]') ||
        document.querySelector<HTMLElement>('[data-testid="connstr-text"]');
      target?.scrollIntoView?.({ block: 'center' });
      target?.focus();
    }, 0);
  };
  const visible = useMemo(() => ['AuthType', ...fieldsFor(authType), 'ProxyVersion'] as string[], [authType]);
  const unknownKeys = Object.keys(store.values).filter((k) => !visible.includes(k) && !(ADVANCED_FIELDS as string[]).includes(k));
  const general = [...store.errors, ...store.warnings].filter((f) => f.key === null || (!visible.includes(f.key) && !(ADVANCED_FIELDS as string[]).includes(f.key)));
  const currentProfile = store.profiles.find((p) => p.id === store.profileId);

  const fieldState = (key: string): { validationState?: 'error' | 'warning'; validationMessage?: string } => {
    const errs = store.errors.filter((f) => f.key === key);
    const warns = store.warnings.filter((f) => f.key === key);
    if (errs.length) return { validationState: 'error', validationMessage: errs.map(tr).join(' ') };
    if (warns.length) return { validationState: 'warning', validationMessage: warns.map(tr).join(' ') };
    return {};
  };

  const renderField = (key: string) => {
    const label = t(`fields.${key}.label`, { defaultValue: key });
    const choices = CHOICE_FIELDS[key as CanonicalKey];
    const raw = store.values[key] ?? '';
    const value = choices ? (canonicalChoice(raw, choices) ?? raw) : raw;
    const state = fieldState(key);
    if (choices) {
      return (
        <Field key={key} label={label} hint={t(`fields.${key}.hint`)} {...state}>
          <Dropdown
            aria-label={label}
            value={value}
            selectedOptions={value ? [value] : []}
            placeholder={t('connstr.notSet')}
            onOptionSelect={(_, d) => void store.setField(key, d.optionValue ?? '')}
          >
            <Option value="">{t('connstr.notSet')}</Option>
            {choices.map((c) => (
              <Option key={c} value={c}>
                {c}
              </Option>
            ))}
          </Dropdown>
        </Field>
      );
    }
    if (isSecret(key)) {
      const stored = store.storedSecrets.includes(key) && !(key in store.values);
      return (
        <Field key={key} label={label} hint={stored ? t('connstr.secretStored') : t(`fields.${key}.hint`)} {...state}>
          <div className={s.secretRow}>
            <Input
              className={s.grow}
              aria-label={label}
              type={revealed[key] ? 'text' : 'password'}
              value={value}
              placeholder={stored ? '••••••••' : ''}
              autoComplete="off"
              onChange={(_, d) => void store.setField(key, d.value)}
            />
            <Button
              aria-label={revealed[key] ? t('connstr.hide', { field: label }) : t('connstr.reveal', { field: label })}
              icon={revealed[key] ? <EyeOffRegular /> : <EyeRegular />}
              onClick={() => setRevealed((r) => ({ ...r, [key]: !r[key] }))}
            />
          </div>
        </Field>
      );
    }
    const appId = store.values.AppId;
    return (
      <Field key={key} label={label} hint={t(`fields.${key}.hint`)} {...state}>
        <Input aria-label={label} value={value} className={s.mono} onChange={(_, d) => void store.setField(key, d.value)} />
        {key === 'RedirectUri' && appId && value !== `app://${appId}` ? (
          <Button size="small" appearance="subtle" icon={<WrenchRegular />} onClick={() => void store.setField('RedirectUri', `app://${appId}`)}>
            {t('connstr.useAppRedirect', { value: `app://${appId}` })}
          </Button>
        ) : null}
      </Field>
    );
  };

  return (
    <div className={s.page}>
      <div className={s.column}>
        <div>
          <Title2 as="h1" block>{t('connstr.title')}</Title2>
          <Text as="p" block>{t('connstr.intro')}</Text>
        </div>

        <Toolbar aria-label={t('profiles.toolbar')}>
          <Dropdown
            aria-label={t('profiles.pick')}
            placeholder={t('profiles.pick')}
            value={currentProfile?.name ?? ''}
            selectedOptions={store.profileId ? [store.profileId] : []}
            onOptionSelect={(_, d) => d.optionValue && void store.loadProfile(d.optionValue)}
          >
            {store.profiles.map((p) => (
              <Option key={p.id} value={p.id} text={p.name}>
                {p.name}
              </Option>
            ))}
          </Dropdown>
          <ToolbarButton icon={<AddRegular />} onClick={() => void store.reset()}>
            {t('profiles.new')}
          </ToolbarButton>
          <ToolbarButton
            icon={<SaveRegular />}
            onClick={() => {
              if (currentProfile) void store.saveProfile(currentProfile.name, false);
              else {
                setProfileName('');
                setSaveDialog({ asNew: true });
              }
            }}
          >
            {t('profiles.save')}
          </ToolbarButton>
          <ToolbarButton
            onClick={() => {
              setProfileName(currentProfile ? t('profiles.copyOf', { name: currentProfile.name }) : '');
              setSaveDialog({ asNew: true });
            }}
          >
            {t('profiles.saveAs')}
          </ToolbarButton>
          {currentProfile ? (
            <ToolbarButton icon={<DeleteRegular />} onClick={() => void store.deleteProfile(currentProfile.id)}>
              {t('profiles.delete')}
            </ToolbarButton>
          ) : null}
        </Toolbar>

        {store.error ? <ErrorBar error={store.error} testId="connstr-page-error" /> : null}

        <Card>
          <CardHeader header={<Text weight="semibold">{t('connstr.string.label')}</Text>} description={t('connstr.string.hint')} />
          <Field
            label={t('connstr.string.fieldLabel')}
            validationState={store.syntaxError ? 'error' : undefined}
            validationMessage={
              store.syntaxError
                ? t('connstr.syntaxError', {
                    position: store.syntaxError.position + 1,
                    detail: t(store.syntaxError.code, { ns: 'connstr', defaultValue: store.syntaxError.message }),
                  })
                : undefined
            }
          >
            <Textarea
              data-testid="connstr-text"
              className={s.mono}
              resize="vertical"
              rows={4}
              value={store.text}
              placeholder="AuthType=OAuth;Url=https://contoso.crm4.dynamics.com;…"
              onPaste={() => (pasted.current = true)}
              onChange={(_, d) => {
                const mask = pasted.current;
                pasted.current = false;
                void store.setText(d.value, { mask });
              }}
              onBlur={() => void store.normalizeText()}
            />
          </Field>
          <div className={s.row}>
            <CopyButton label={t('copy.masked')} getText={() => store.copyText(false)} />
            <Button onClick={() => setConfirmCopy(true)}>{t('copy.withSecrets')}</Button>
            {store.errors.length === 0 && store.text ? <Badge color="success">{t('connstr.valid')}</Badge> : null}
            {store.errors.length > 0 ? (
              <Button size="small" appearance="subtle" data-testid="connstr-error-count" onClick={showFirstError} title={t('connstr.showFirstError')}>
                <Badge color="danger">{t('connstr.errorCount', { count: store.errors.length })}</Badge>
              </Button>
            ) : null}
            {store.warnings.length > 0 ? <Badge color="warning">{t('connstr.warningCount', { count: store.warnings.length })}</Badge> : null}
          </div>
          {copyError ? (
            <MessageBar intent="warning">
              <MessageBarBody>{copyError}</MessageBarBody>
            </MessageBar>
          ) : null}
        </Card>

        {general.length > 0 ? (
          <div role="list" aria-label={t('connstr.generalFindings')} tabIndex={-1} data-testid="connstr-general">
            {general.map((f, i) => (
              <MessageBar key={i} role="listitem" intent={store.errors.includes(f) ? 'error' : 'warning'}>
                <MessageBarBody>
                  {f.key ? <strong>{f.key}: </strong> : null}
                  {tr(f)}
                </MessageBarBody>
              </MessageBar>
            ))}
          </div>
        ) : null}

        <Card>
          <CardHeader header={<Text weight="semibold">{t('connstr.settings')}</Text>} />
          <div className={s.grid}>
            <Field label={t('fields.AuthType.label')} hint={t('fields.AuthType.hint')} {...fieldState('AuthType')}>
              <Dropdown
                aria-label={t('fields.AuthType.label')}
                value={authType ?? store.values.AuthType ?? ''}
                selectedOptions={authType ? [authType] : []}
                placeholder={t('connstr.notSet')}
                onOptionSelect={(_, d) => void store.setField('AuthType', d.optionValue ?? '')}
              >
                {AUTH_TYPES.map((a) => (
                  <Option key={a} value={a} text={a}>
                    {a}
                    {a === 'Office365' ? ` — ${t('connstr.deprecated')}` : ''}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            {fieldsFor(authType).map(renderField)}
          </div>
          <Field label={t('fields.ProxyVersion.label')} hint={t('fields.ProxyVersion.hint')} {...fieldState('ProxyVersion')}>
            <RadioGroup
              data-testid="connstr-sdk"
              value={store.values.ProxyVersion ?? ''}
              onChange={(_, d) => void store.setField('ProxyVersion', d.value)}
            >
              {store.sdkVersions.map((v) => (
                <Radio key={v.version} value={String(v.version)} label={`${v.version} — ${v.solution}${v.requiredForOnline ? ` (${t('connstr.requiredOnline')})` : ''}`} />
              ))}
            </RadioGroup>
          </Field>
          <details open={advancedOpen} onToggle={(e) => setAdvancedOpen((e.currentTarget as HTMLDetailsElement).open)} data-testid="connstr-advanced">
            <summary>{t('connstr.advanced')}</summary>
            <div className={s.grid}>{ADVANCED_FIELDS.map(renderField)}</div>
          </details>
          {unknownKeys.length > 0 ? (
            <div>
              <Text weight="semibold">{t('connstr.otherKeys')}</Text>
              <div className={s.grid}>
                {unknownKeys.map((k) => (
                  <Field key={k} label={k} {...fieldState(k)}>
                    <Input aria-label={k} value={store.values[k] ?? ''} onChange={(_, d) => void store.setField(k, d.value)} />
                  </Field>
                ))}
              </div>
            </div>
          ) : null}
        </Card>
      </div>

      <ChecklistCard />

      <Dialog open={confirmCopy} onOpenChange={(_, d) => setConfirmCopy(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{t('copy.confirmTitle')}</DialogTitle>
            <DialogContent>{t('copy.confirmBody')}</DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={() => setConfirmCopy(false)}>
                {t('common.cancel')}
              </Button>
              <Button
                appearance="primary"
                onClick={async () => {
                  setConfirmCopy(false);
                  setCopyError(null);
                  try {
                    await navigator.clipboard.writeText(await store.copyText(true));
                  } catch (x) {
                    setCopyError(x instanceof RpcError ? errorText(t, x.error) : t('copy.failed'));
                  }
                }}
              >
                {t('copy.withSecretsConfirm')}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>

      <Dialog open={saveDialog !== null} onOpenChange={(_, d) => !d.open && setSaveDialog(null)}>
        <DialogSurface>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              if (await store.saveProfile(profileName.trim(), true)) setSaveDialog(null);
            }}
          >
            <DialogBody>
              <DialogTitle>{t('profiles.saveTitle')}</DialogTitle>
              <DialogContent>
                <Field label={t('profiles.name')} required>
                  <Input autoFocus value={profileName} onChange={(_, d) => setProfileName(d.value)} />
                </Field>
                <Text size={200}>{t('profiles.secretsNote')}</Text>
              </DialogContent>
              <DialogActions>
                <Button appearance="secondary" onClick={() => setSaveDialog(null)}>
                  {t('common.cancel')}
                </Button>
                <Button appearance="primary" type="submit" disabled={!profileName.trim()}>
                  {t('profiles.save')}
                </Button>
              </DialogActions>
            </DialogBody>
          </form>
        </DialogSurface>
      </Dialog>
    </div>
  );
}
