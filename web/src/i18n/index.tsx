import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { sv, type Messages } from './sv.js';
import { en } from './en.js';

/** Swedish first; English as a complete second language. */
export type Lang = 'sv' | 'en';
const STORAGE_KEY = 'nvf.lang';
const LOCALES: Record<Lang, string> = { sv: 'sv-SE', en: 'en-GB' };
const MESSAGES: Record<Lang, Messages> = { sv, en };

function initialLang(): Lang {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (stored === 'sv' || stored === 'en') return stored;
  } catch {
    // localStorage can be blocked (private mode, strict settings): fall back to Swedish.
  }
  return 'sv';
}

export interface I18n {
  lang: Lang;
  locale: string;
  t: Messages;
  setLang: (lang: Lang) => void;
  /** 1 234 (sv) / 1,234 (en). */
  formatNumber: (n: number) => string;
  /** 26 nov. 2026 (sv) / 26 Nov 2026 (en). */
  formatDate: (d: Date | string) => string;
  formatPercent: (share: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not persisted, but the switch still works for this page view.
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const locale = LOCALES[lang];
    const num = new Intl.NumberFormat(locale);
    const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
    const date = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' });
    return {
      lang,
      locale,
      t: MESSAGES[lang],
      setLang,
      formatNumber: (n) => num.format(n),
      formatPercent: (share) => pct.format(share),
      formatDate: (d) => date.format(typeof d === 'string' ? new Date(d) : d),
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n must be used inside <I18nProvider>: wrap the app in it (see main.tsx).');
  return ctx;
}
