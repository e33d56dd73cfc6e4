import { Alert, Heading, Paragraph, Spinner } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { PageTitle } from '../../components/PageTitle.js';
import { OPEN_STATUSES, PatientDaysLeft, RequirePatient } from './common.js';
import { shortRef, type PatientCase } from './patient-api.js';
import { useMyCases } from './useMyCases.js';
import { useServices } from './useServiceNames.js';

/** "Mina ärenden": the patient's cases in plain words, re-read when she comes back to the page. */
export function MyCasesPage() {
  const { t } = useI18n();
  return (
    <RequirePatient title={t.patient.cases.title} path="/mina-arenden">
      <MyCases />
    </RequirePatient>
  );
}

function MyCases() {
  const { t, locale } = useI18n();
  const c = t.patient.cases;
  const { items, error, readAt, reload } = useMyCases();
  const services = useServices();
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  return (
    <>
      <PageTitle title={c.title}>{c.title}</PageTitle>
      <Paragraph className="lead">{c.lead}</Paragraph>
      {error != null && (
        <Alert data-color="danger" className="section" data-testid="cases-error">
          <Paragraph>{c.error}</Paragraph>
          <button type="button" className="ds-button" data-variant="secondary" data-size="sm" onClick={reload}>
            {c.retry}
          </button>
        </Alert>
      )}
      {!items && !error && (
        <p role="status">
          <Spinner aria-hidden="true" data-size="xs" /> {c.loading}
        </p>
      )}
      <p role="status" className="hint" data-testid="cases-status">
        {items && readAt ? `${c.count(items.length)} ${c.updated(time.format(readAt))}` : ''}
      </p>
      {items && items.length === 0 && (
        <div className="section" data-testid="cases-empty">
          <Paragraph>{c.empty}</Paragraph>
          <Paragraph>
            <Link href="/be-om-vard" className="ds-button" data-variant="primary">
              {c.ask}
            </Link>
          </Paragraph>
        </div>
      )}
      {items && items.length > 0 && (
        <>
          <ul className="pt-cases section" data-testid="my-cases">
            {items.map((k) => (
              <CaseCard key={k.id} kase={k} serviceName={services.get(k.serviceId)?.name} />
            ))}
          </ul>
          <Paragraph>
            <Link href="/be-om-vard">{c.askAgain}</Link>
          </Paragraph>
        </>
      )}
    </>
  );
}

function CaseCard({ kase, serviceName }: { kase: PatientCase; serviceName: { sv: string; en: string } | undefined }) {
  const { t, lang, formatDate, locale } = useI18n();
  const c = t.patient.cases;
  const day = (iso: string) => formatDate(iso.length === 10 ? `${iso}T12:00:00` : iso);
  const when = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' });
  const headingId = `case-${kase.id}`;
  return (
    <li className="pt-case" data-case-id={kase.id} data-status={kase.status}>
      <Heading level={2} data-size="sm" id={headingId}>
        {serviceName?.[lang] ?? c.unknownService}
      </Heading>
      <dl className="pt-facts">
        <dt>{c.status}</dt>
        <dd>
          <strong data-testid="case-status-text">{kase.statusText[lang]}</strong>
        </dd>
        <dt>{c.deadline}</dt>
        <dd>
          <time dateTime={kase.deadline}>{day(kase.deadline)}</time>
          {OPEN_STATUSES.includes(kase.status) && (
            <span className="pt-days">
              <PatientDaysLeft days={kase.daysLeft} />
            </span>
          )}
        </dd>
        {kase.offer && (
          <>
            <dt>{c.clinic}</dt>
            <dd data-testid="case-clinic">
              {kase.offer.unitName}
              {kase.offer.offeredDate && !kase.bookedDate && <> ({c.offeredDate(day(kase.offer.offeredDate))})</>}
            </dd>
          </>
        )}
        {kase.bookedDate && (
          <>
            <dt>{c.booked}</dt>
            <dd data-testid="case-booked">
              <time dateTime={kase.bookedDate}>{day(kase.bookedDate)}</time>
            </dd>
          </>
        )}
        {kase.completedOn && (
          <>
            <dt>{c.completed}</dt>
            <dd>
              <time dateTime={kase.completedOn}>{day(kase.completedOn)}</time>
            </dd>
          </>
        )}
        <dt>{c.origin}</dt>
        <dd>{kase.origin === 'patient' ? c.originPatient : c.originRegion}</dd>
        <dt>{c.opened}</dt>
        <dd>
          <time dateTime={kase.openedAt}>{when.format(new Date(kase.openedAt))}</time>
        </dd>
        <dt>{c.reference}</dt>
        <dd>
          <span className="pt-ref" data-testid="case-reference">
            {shortRef(kase.id)}
          </span>
        </dd>
      </dl>
      <p className="pt-next">
        <strong>{c.nextStep}:</strong> {kase.nextStep[lang]}
      </p>
    </li>
  );
}
