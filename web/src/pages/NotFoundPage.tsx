import { Paragraph } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import { PageTitle } from '../components/PageTitle.js';

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <>
      <PageTitle title={t.notFound.title}>{t.notFound.title}</PageTitle>
      <Paragraph>{t.notFound.text}</Paragraph>
      <Paragraph>
        <Link href="/" className="ds-link">
          {t.notFound.home}
        </Link>
      </Paragraph>
    </>
  );
}
