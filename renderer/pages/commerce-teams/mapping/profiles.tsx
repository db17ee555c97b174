import { Field, makeStyles, Select, Text, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import type { ConnectionProfile, TeamsProfilesUsed } from '../../../../preload/contract';
import { call } from '../../../transport/client';

/** The profiles the mapping and hierarchy pages use (empty: the configuration's, else the one usable of each kind). */
interface ProfileChoice {
  commerceProfileId: string;
  graphProfileId: string;
  set(patch: Partial<Pick<ProfileChoice, 'commerceProfileId' | 'graphProfileId'>>): void;
}
export const useTeamsProfileChoice = create<ProfileChoice>((set) => ({ commerceProfileId: '', graphProfileId: '', set: (p) => set(p) }));

/** The refs every teamsMapping.* / teamsHierarchy.* call takes. */
export function profileRefs(c: Pick<ProfileChoice, 'commerceProfileId' | 'graphProfileId'>): { commerceProfileId?: string; graphProfileId?: string } {
  return { ...(c.commerceProfileId ? { commerceProfileId: c.commerceProfileId } : {}), ...(c.graphProfileId ? { graphProfileId: c.graphProfileId } : {}) };
}

const useStyles = makeStyles({
  row: { display: 'flex', gap: tokens.spacingHorizontalL, flexWrap: 'wrap', alignItems: 'end' },
  field: { minWidth: '260px' },
});

/** Two drop-downs (Commerce headquarters, Microsoft 365 Graph) and which profiles main used last. */
export function ProfilePicker({ used }: { used: TeamsProfilesUsed | null }) {
  const { t } = useTranslation('teamsMapping');
  const s = useStyles();
  const choice = useTeamsProfileChoice();
  const [profiles, setProfiles] = useState<ConnectionProfile[]>([]);
  useEffect(() => {
    call('connections.list', {}).then(setProfiles, () => setProfiles([]));
  }, []);
  const options = (kind: 'commerce-hq' | 'graph') => profiles.filter((p) => p.kind === kind);
  return (
    <div className={s.row} data-testid="profile-picker">
      <Field label={t('profiles.commerce')} className={s.field}>
        <Select value={choice.commerceProfileId} onChange={(_, d) => choice.set({ commerceProfileId: d.value })}>
          <option value="">{used?.commerce ? t('profiles.automaticUsed', { name: used.commerce.name }) : t('profiles.automatic')}</option>
          {options('commerce-hq').map((p) => (
            <option key={p.id} value={p.id}>{p.name}</option>
          ))}
        </Select>
      </Field>
      <Field label={t('profiles.graph')} className={s.field}>
        <Select value={choice.graphProfileId} onChange={(_, d) => choice.set({ graphProfileId: d.value })}>
          <option value="">{used?.graph ? t('profiles.automaticUsed', { name: used.graph.name }) : t('profiles.automatic')}</option>
          {options('graph').map((p) => (
            <option key={p.id} value={p.id}>{p.name}</option>
          ))}
        </Select>
      </Field>
      <Text size={200}>{t('profiles.hint')}</Text>
    </div>
  );
}
