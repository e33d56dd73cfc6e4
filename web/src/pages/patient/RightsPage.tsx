import { Card, Heading, Paragraph } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { useSession } from '../../session.js';
import { PageTitle } from '../../components/PageTitle.js';
import { isPatient } from './common.js';
import './patient.css';

/** Journey 2, first step: the care guarantee in plain words, and the way to ask for care elsewhere. */
export function RightsPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const r = t.patient.rights;
  return (
    <>
      <PageTitle title={t.nav.rights}>{r.title}</PageTitle>
      <Paragraph data-size="lg" className="lead">
        {r.lead}
      </Paragraph>

      <section aria-labelledby="limits-heading" className="section">
        <Heading level={2} data-size="md" id="limits-heading">
          {r.limitsHeading}
        </Heading>
        {/* A list rather than a table: the four limits read well at 360 px without sideways scrolling. */}
        <ul className="limits" aria-label={r.limitsCaption} data-testid="guarantee-limits">
          {r.rows.map((row) => (
            <li key={row.what} className="limits__item">
              <Heading level={3} data-size="2xs">
                {row.what}
              </Heading>
              <dl className="pt-facts">
                <dt>{r.colLimit}</dt>
                <dd className="limits__days">{row.limit}</dd>
                <dt>{r.colFrom}</dt>
                <dd>{row.from}</dd>
              </dl>
            </li>
          ))}
        </ul>
        <Paragraph>{r.calendarDays}</Paragraph>
      </section>

      <section aria-labelledby="start-heading" className="section">
        <Heading level={2} data-size="md" id="start-heading">
          {r.startHeading}
        </Heading>
        <Paragraph>{r.startText}</Paragraph>
      </section>

      <section aria-labelledby="not-counted-heading" className="section">
        <Heading level={2} data-size="md" id="not-counted-heading">
          {r.notCountedHeading}
        </Heading>
        {r.notCounted.map((p) => (
          <Paragraph key={p}>{p}</Paragraph>
        ))}
      </section>

      <section aria-labelledby="elsewhere-heading" className="section">
        <Heading level={2} data-size="md" id="elsewhere-heading">
          {r.elsewhereHeading}
        </Heading>
        <Paragraph>{r.elsewhereText}</Paragraph>
        <ul className="rights">
          {r.elsewhere.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="not-kept-heading" className="section">
        <Heading level={2} data-size="md" id="not-kept-heading">
          {r.notKeptHeading}
        </Heading>
        <Paragraph>{r.notKeptLead}</Paragraph>
        <ol className="rights-steps">
          {r.notKept.map((s) => (
            <li key={s.title}>
              <strong>{s.title}</strong>
              {s.text}
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="read-more-heading" className="section" data-testid="rights-read-more">
        <Heading level={2} data-size="md" id="read-more-heading">
          {t.support.readMoreHeading}
        </Heading>
        <Paragraph>{t.support.readMoreLead}</Paragraph>
        <ul className="rights">
          {t.support.rightsLinks.map((l) => (
            <li key={l.slug}>
              <Link href={`/stod/${l.slug}`} className="ds-link">
                {l.text}
              </Link>
            </li>
          ))}
          <li>
            <Link href="/stod" className="ds-link">
              {t.support.allPages}
            </Link>
          </li>
        </ul>
      </section>

      <Card data-color="brand1" variant="tinted" className="section">
        <Heading level={2} data-size="sm">
          {r.ctaHeading}
        </Heading>
        <Paragraph>{r.ctaText}</Paragraph>
        <p className="cta-row">
          <Link href="/be-om-vard" className="ds-button" data-variant="primary">
            {r.cta}
          </Link>
          {isPatient(me) && (
            <Link href="/mina-arenden" className="ds-link">
              {r.myCasesLink}
            </Link>
          )}
        </p>
      </Card>
    </>
  );
}
