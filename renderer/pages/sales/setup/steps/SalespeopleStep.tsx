import {
  Badge,
  Button,
  Checkbox,
  Dropdown,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Option,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowSyncRegular, CheckmarkStarburstRegular, LinkMultipleRegular } from '@fluentui/react-icons';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useSetupStore } from '../../../../stores/setup';
import { ErrorBar } from '../../../../components/ErrorBar';
import { translateMessage } from '../logic';
import { useSetupStyles } from '../shared';

const useStyles = makeStyles({
  sides: { display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(200px, 280px)', gap: tokens.spacingHorizontalL, alignItems: 'start' },
  tableBox: { minWidth: 0, overflowX: 'auto' },
  acceptCol: { width: '72px' },
  userCol: { width: '45%' },
  users: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  dropdown: { minWidth: '180px', maxWidth: '100%' },
});

export function SalespeopleStep() {
  const { t: ts } = useTranslation('setup');
  const s = useSetupStyles();
  const st = useStyles();
  const view = useSetupStore((x) => x.salespeople);
  const loading = useSetupStore((x) => x.spLoading);
  const choice = useSetupStore((x) => x.spChoice);
  const accepted = useSetupStore((x) => x.spAccepted);
  const result = useSetupStore((x) => x.spResult);
  const error = useSetupStore((x) => x.errors.sp);
  const ownership = useSetupStore((x) => x.draft.advanced.ownershipModel);
  const store = useSetupStore.getState;

  useEffect(() => {
    if (!store().salespeople) void store().loadSalespeople();
  }, [store]);

  const users = view?.dataverse ?? [];
  const userName = (id: string) => users.find((u) => u.id === id)?.fullName ?? id;
  const pairs = Object.entries(accepted).filter(([bc, on]) => on && choice[bc]);
  const taken = new Map<string, number>();
  for (const [bc] of pairs) taken.set(choice[bc]!, (taken.get(choice[bc]!) ?? 0) + 1);
  const duplicate = [...taken.values()].some((n) => n > 1);
  const suggestions = view?.suggestions ?? [];
  // "Select" only ticks rows (nothing is written); "Couple … now" writes. Once every suggestion is ticked, say so.
  const allSelected = suggestions.length > 0 && suggestions.every((g) => accepted[g.bcId] && choice[g.bcId] === g.dvId);

  return (
    <div className={s.stack}>
      {view ? (
        <MessageBar intent={ownership === 'person' ? 'warning' : 'info'} layout="multiline" data-testid="setup-sp-explanation">
          <MessageBarBody>
            {translateMessage(ts, view.explanation)}
            {ownership === 'team' ? ` ${ts('sp.teamOwnership')}` : ''}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={s.row}>
        <Button icon={<CheckmarkStarburstRegular />} data-testid="setup-sp-accept-all" disabled={!suggestions.length || allSelected} onClick={() => store().acceptAll()}>
          {!suggestions.length ? ts('sp.acceptAllNone') : allSelected ? ts('sp.allSelected', { count: suggestions.length }) : ts('sp.acceptAll', { count: suggestions.length })}
        </Button>
        <Button appearance="primary" icon={<LinkMultipleRegular />} data-testid="setup-sp-couple" disabled={!pairs.length || duplicate} onClick={() => void store().couple()}>
          {ts('sp.couple', { count: pairs.length })}
        </Button>
        <Button icon={loading ? <Spinner size="tiny" /> : <ArrowSyncRegular />} disabled={loading} onClick={() => void store().loadSalespeople()}>
          {ts('sp.refresh')}
        </Button>
      </div>
      <Text className={s.hint} data-testid="setup-sp-buttons-hint">{ts('sp.buttonsHint')}</Text>
      {duplicate ? <Text className={s.hint} role="alert">{ts('sp.duplicate')}</Text> : null}
      {error ? <ErrorBar error={error} /> : null}
      {result ? (
        <MessageBar intent="success" data-testid="setup-sp-result">
          <MessageBarBody>{ts('sp.result', { count: result.coupled, replaced: result.replaced })}</MessageBarBody>
        </MessageBar>
      ) : null}
      {view ? (
        <div className={st.sides}>
          <div className={st.tableBox}>
            <Table data-testid="setup-sp-table" aria-label={ts('sp.tableLabel')} size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell className={st.acceptCol}>{ts('sp.col.accept')}</TableHeaderCell>
                  <TableHeaderCell>{ts('sp.col.salesperson')}</TableHeaderCell>
                  <TableHeaderCell className={st.userCol}>{ts('sp.col.user')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {view.bc.map((p) => {
                  const suggestion = view.suggestions.find((g) => g.bcId === p.id);
                  const value = choice[p.id] ?? '';
                  const label = ts('sp.userFor', { code: p.code, name: p.name });
                  return (
                    <TableRow key={p.id} data-testid={`sp-${p.code}`} data-suggested={suggestion?.by}>
                      <TableCell>
                        <Checkbox
                          aria-label={ts('sp.acceptRow', { code: p.code })}
                          checked={!!accepted[p.id]}
                          disabled={!value}
                          onChange={(_, d) => store().accept(p.id, !!d.checked)}
                        />
                      </TableCell>
                      <TableCell>
                        <div>
                          <Text weight="semibold">{p.code}</Text> · {p.name}
                        </div>
                        <Text size={200} className={s.hint}>
                          {p.email ?? ts('sp.noEmail')}
                        </Text>
                      </TableCell>
                      <TableCell>
                        <div className={s.row}>
                          <Dropdown
                            className={st.dropdown}
                            aria-label={label}
                            value={value ? userName(value) : ts('sp.notCoupled')}
                            selectedOptions={[value]}
                            onOptionSelect={(_, d) => store().chooseUser(p.id, d.optionValue ?? '')}
                          >
                            <Option value="" text={ts('sp.notCoupled')}>
                              {ts('sp.notCoupled')}
                            </Option>
                            {users.map((u) => (
                              <Option key={u.id} value={u.id} text={u.fullName} disabled={u.disabled}>
                                {u.email ? `${u.fullName} <${u.email}>` : u.fullName}
                              </Option>
                            ))}
                          </Dropdown>
                          {suggestion ? <Badge appearance="tint" color="brand">{ts(`sp.suggested.${suggestion.by}`)}</Badge> : null}
                          {p.coupledTo ? <Badge appearance="outline" color="success">{ts('sp.coupled')}</Badge> : null}
                        </div>
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </div>
          <section aria-label={ts('sp.usersLabel')}>
            <Text weight="semibold" as="h3" block>
              {ts('sp.usersLabel')}
            </Text>
            <ul className={st.users} data-testid="setup-sp-users">
              {users.map((u) => (
                <li key={u.id}>
                  <Text>{u.fullName}</Text>{' '}
                  <Text size={200} className={s.hint}>
                    {u.email ?? ''} {u.disabled ? `· ${ts('sp.disabled')}` : ''} {u.coupledTo ? `· ${ts('sp.coupled')}` : ''}
                  </Text>
                </li>
              ))}
            </ul>
          </section>
        </div>
      ) : loading ? (
        <Spinner label={ts('sp.loading')} />
      ) : null}
    </div>
  );
}
