import { Dropdown, Option } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, type LanguageCode } from '../i18n';
import { useAppStore } from '../stores/app';

export function LanguagePicker() {
  const { t, i18n } = useTranslation();
  const persist = useAppStore((x) => x.persistLanguage);
  const current = LANGUAGES.find((l) => l.code === i18n.language) ?? LANGUAGES[0];
  return (
    <Dropdown
      aria-label={t('shell.language')}
      data-testid="language-picker"
      value={current.label}
      selectedOptions={[current.code]}
      onOptionSelect={(_, d) => {
        const code = d.optionValue as LanguageCode;
        void i18n.changeLanguage(code);
        document.documentElement.lang = code;
        void persist(code);
      }}
    >
      {LANGUAGES.map((l) => (
        <Option key={l.code} value={l.code} lang={l.code}>
          {l.label}
        </Option>
      ))}
    </Dropdown>
  );
}
