import { useEffect, useRef, type ReactNode } from 'react';
import { Heading } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { takeFocusRequest } from '../router.js';

/**
 * The page's single h1. It also sets the document title and, after an in-app navigation (not on first load),
 * moves focus to the heading so screen-reader users hear that the page changed.
 */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  const { t } = useI18n();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} – ${t.serviceName}`;
  }, [title, t.serviceName]);
  useEffect(() => {
    if (takeFocusRequest()) ref.current?.focus();
  }, []);
  return (
    <Heading level={1} data-size="lg" ref={ref} tabIndex={-1} className="page-title">
      {children}
    </Heading>
  );
}
