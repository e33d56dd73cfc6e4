import { Alert, Heading, Paragraph, Spinner } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { PageTitle } from '../../components/PageTitle.js';
import { OPEN_STATUSES, PatientDaysLeft, RequirePatient } from './common.js';
import { justCreated, shortRef } from './patient-api.js';
import { useMyCases } from './useMyCases.js';
import { useServices } from './useServiceNames.js';

/** After the request: what happens next and when, the deadline, a reference, and the way to the status page. */
export function ReceiptPage({ id }: { id: string }) {
  const { t } = useI18n();
  return (
    <RequirePatient title={t.patient.receipt.title} path={`/be-om-vard/klart/${encodeURIComponent(id)}`}>
      <Receipt id={id} />
    </RequirePatient>
  );
}

function Receipt({ id }: { id: string }) {
  const { t, lang, formatDate, locale } = useI18n();
  const r = t.patient.receipt;
  const { items, error, reload } = useMyCases();
  const services = useServices();
  const kase = items?.find((c) => c.id === id) ?? justCreated.get(id) ?? null;
  const day = (iso: string) => formatDate(`${iso}T12:00:00`);
  const when = (iso: string) => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

  if (!kase) {
    return (
      <>
        <PageTitle title={r.title}>{r.title}</PageTitle>
        {error ? (
          <Alert data-color="danger">
            <Paragraph>{t.patient.cases.error}</Paragraph>
            <button type="button" className="ds-button" data-variant="secondary" data-size="sm" onClick={reload}>
              {t.patient.cases.retry}
            </button>
          </Alert>
        ) : items ? (
          <Paragraph>{r.notFound}</Paragraph>
        ) : (
          <p role="status">
            <Spinner aria-hidden="true" data-size="xs" /> {t.patient.cases.loading}
          </p>
        )}
        <Paragraph>
          <Link href="/mina-arenden">{r.myCases}</Link>
        </Paragraph>
      </>
    );
  }
  const serviceName = services.get(kase.serviceId)?.name[lang] ?? kase.serviceId;
  return (
    <>
      <PageTitle title={r.title}>{r.title}</PageTitle>
      <Alert data-color="success" className="section">
        <Paragraph>{r.received}</Paragraph>
      </Alert>
      <dl className="pt-facts section" data-testid="receipt">
        <dt>{r.reference}</dt>
        <dd>
          <span className="pt-ref" data-testid="receipt-reference">
            {shortRef(kase.id)}
          </span>
          <br />
          <span className="hint">{r.referenceHint}</span>
        </dd>
        <dt>{r.service}</dt>
        <dd data-testid="receipt-service">{serviceName}</dd>
        <dt>{r.clockStart}</dt>
        <dd>
          <time dateTime={kase.clockStart}>{day(kase.clockStart)}</time>
        </dd>
        <dt>{r.deadline}</dt>
        <dd data-testid="receipt-deadline">
          <time dateTime={kase.deadline}>{day(kase.deadline)}</time>
          {OPEN_STATUSES.includes(kase.status) && (
            <span className="pt-days">
              <PatientDaysLeft days={kase.daysLeft} />
            </span>
          )}
        </dd>
        <dt>{r.status}</dt>
        <dd data-testid="receipt-status">{kase.statusText[lang]}</dd>
        <dt>{r.sent}</dt>
        <dd>
          <time dateTime={kase.openedAt}>{when(kase.openedAt)}</time>
        </dd>
      </dl>
      <section aria-labelledby="next-heading" className="section">
        <Heading level={2} data-size="md" id="next-heading">
          {r.nextHeading}
        </Heading>
        <p className="pt-next" data-testid="receipt-next">
          {kase.nextStep[lang]}
        </p>
      </section>
      <p className="cta-row">
        <Link href="/mina-arenden" className="ds-button" data-variant="primary">
          {r.myCases}
        </Link>
        <Link href="/dina-rattigheter" className="ds-link">
          {r.rights}
        </Link>
      </p>
    </>
  );
}
