import { DaysLeft } from '../../workspace/common.js';
import { OPEN_CASE_STATUSES } from '../../workspace/api.js';
import type { ReactNode } from 'react';
import { Alert, Paragraph, Spinner } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { useSession } from '../../session.js';
import { PageTitle } from '../../components/PageTitle.js';
import './patient.css';

/** True for a logged-in patient (the only role that may ask for care elsewhere or read "Mina ärenden"). */
export function isPatient(me: { authenticated: boolean; roles: string[] } | null): boolean {
  return !!me?.authenticated && me.roles.includes('patient');
}

/** The demo login with only the patients, returning to `path` afterwards. */
export function patientLoginHref(path: string): string {
  return `/logga-in?roll=patient&till=${encodeURIComponent(path)}`;
}

/**
 * Renders children for a logged-in patient. Everyone else gets the page's h1 and a plain explanation of why they
 * cannot use it yet, with the way forward: the demo login with the patients, or the care guarantee office.
 */
export function RequirePatient({ title, path, children }: { title: string; path: string; children: ReactNode }) {
  const { t } = useI18n();
  const { me, error } = useSession();
  const a = t.patient.ask;
  if (!me) {
    return (
      <>
        <PageTitle title={title}>{title}</PageTitle>
        {error ? (
          <Alert data-color="danger">{t.patient.cases.error}</Alert>
        ) : (
          <p role="status">
            <Spinner aria-hidden="true" data-size="xs" /> {a.loading}
          </p>
        )}
      </>
    );
  }
  if (isPatient(me)) return <>{children}</>;
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      {me.authenticated ? (
        <Paragraph>{a.notPatient(me.displayName ?? me.subject)}</Paragraph>
      ) : (
        <>
          <Paragraph>{a.needLogin}</Paragraph>
          {me.mode === 'demo' || me.mode === 'sandbox' ? (
            <>
              <Paragraph>{a.demoLoginText}</Paragraph>
              <Paragraph>
                <Link href={patientLoginHref(path)} className="ds-button" data-variant="primary">
                  {a.demoLogin}
                </Link>
              </Paragraph>
            </>
          ) : (
            <Paragraph>{a.noCitizenLogin}</Paragraph>
          )}
        </>
      )}
      <Paragraph>
        <Link href="/dina-rattigheter">{a.rightsLink}</Link>
      </Paragraph>
    </>
  );
}

/** The days-left label of the workspace, in the patient pages' words. */
export function PatientDaysLeft({ days }: { days: number }) {
  const { t } = useI18n();
  return <DaysLeft days={days} texts={t.patient.days} />;
}

/** Statuses where the case is still going on, so the days left matter. */
export const OPEN_STATUSES: readonly string[] = OPEN_CASE_STATUSES;
