import { Badge, makeStyles, tokens } from '@fluentui/react-components';
import { WarningFilled } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import type { EnvironmentTier } from '../../preload/contract';

const useStyles = makeStyles({
  bar: { width: '6px', alignSelf: 'stretch', borderRadius: tokens.borderRadiusSmall, flexShrink: 0 },
  prodBar: { outline: `2px solid ${tokens.colorPaletteRedBorder2}` },
});

/**
 * The environment tier as a badge. Production is always a filled red "PRODUCTION" badge, whatever colour the
 * profile chose, so a production target is never mistaken for a test system.
 */
export function EnvironmentBadge({ tier }: { tier: EnvironmentTier }) {
  const { t } = useTranslation('connections');
  if (tier === 'production') {
    return (
      <Badge appearance="filled" color="danger" icon={<WarningFilled />} data-testid="tier-production">
        {t('tier.productionBadge', { ns: 'connections' })}
      </Badge>
    );
  }
  return (
    <Badge appearance="tint" color={tier === 'development' ? 'success' : tier === 'test' ? 'brand' : 'important'}>
      {t(`tier.${tier}`)}
    </Badge>
  );
}

/** Vertical bar in the profile's colour (red for production regardless of the chosen colour). */
export function EnvironmentBar({ tier, colour }: { tier: EnvironmentTier; colour: string }) {
  const s = useStyles();
  const prod = tier === 'production';
  return <span aria-hidden className={prod ? `${s.bar} ${s.prodBar}` : s.bar} style={{ backgroundColor: prod ? tokens.colorPaletteRedBackground3 : colour }} />;
}
