import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Button, Field, Heading, Input, Label, Paragraph, Radio, Textarea } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { api, isAbort, type Municipality, type Region, type Service } from '../../api.js';
import { PageTitle } from '../../components/PageTitle.js';
import { ws, DECLINE_REASONS, type InboxItem } from '../../workspace/api.js';
import {
  ActionError,
  DaysLeft,
  LiveRegion,
  Loading,
  LoadError,
  RequireRole,
  RespondBy,
  StatusTag,
  WorkspaceNav,
  swedishToday,
  useAction,
  useFormatters,
  useLiveUpdates,
} from '../../workspace/common.js';
import '../../workspace/workspace.css';

/** Journey 4: one request as the provider sees it — no identity until the patient has chosen them; accept or decline. */
export function RequestPage({ id }: { id: string }) {
  const { t } = useI18n();
  return (
    <RequireRole roles={['provider']} title={t.ws.request.title('')}>
      <RequestView id={id} />
    </RequireRole>
  );
}

function RequestView({ id }: { id: string }) {
  const { t, lang, formatNumber } = useI18n();
  const q = t.ws.request;
  const f = useFormatters();
  const [item, setItem] = useState<InboxItem | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [live, setLive] = useState('');
  const previous = useRef<InboxItem | null>(null);
  const [services, setServices] = useState<Service[]>([]);
  const [regions, setRegions] = useState<Region[]>([]);
  const [municipalities, setMunicipalities] = useState<Municipality[]>([]);
  useEffect(() => {
    const ac = new AbortController();
    api.services(ac.signal).then((r) => setServices(r.items)).catch(() => undefined);
    api.regions(undefined, ac.signal).then((r) => setRegions(r.items)).catch(() => undefined);
    api.municipalities(undefined, ac.signal).then((r) => setMunicipalities(r.items)).catch(() => undefined);
    return () => ac.abort();
  }, []);
  const serviceName = useMemo(() => new Map(services.map((s) => [s.id, s.name[lang]])), [services, lang]);

  const load = useCallback(
    async (announce: boolean) => {
      try {
        const next = await ws.getRequest(id);
        const before = previous.current;
        if (announce && before && (before.status !== next.status || before.case.status !== next.case.status))
          setLive(t.ws.live.caseChanged(t.ws.requestStatus[next.status] ?? next.status));
        previous.current = next;
        setItem(next);
        setError(null);
      } catch (err) {
        if (!isAbort(err)) setError(err);
      }
    },
    [id, t],
  );
  useEffect(() => {
    void load(false);
  }, [load, attempt]);
  const mode = useLiveUpdates(() => void load(true), { caseId: item?.caseId, enabled: !!item });

  const service = item ? (serviceName.get(item.case.serviceId) ?? item.case.serviceId) : '';
  const title = q.title(service);
  if (!item) {
    return (
      <>
        <PageTitle title={title}>{title}</PageTitle>
        {error ? <LoadError error={error} onRetry={() => setAttempt((a) => a + 1)} /> : <Loading />}
        <Paragraph>
          <Link href="/arbetsyta/inkorg">{t.ws.backToInbox}</Link>
        </Paragraph>
      </>
    );
  }
  const k = item.case;
  const p = k.patient;
  const pr = k.preferences;
  const prefs: string[] = [];
  if (pr.maxDistanceKm) prefs.push(t.ws.case.maxDistance(formatNumber(pr.maxDistanceKm)));
  if (pr.language) prefs.push(t.ws.case.language(pr.language));
  if (pr.accessibilityNeeds) prefs.push(t.ws.case.accessibility(pr.accessibilityNeeds));
  if (pr.notes) prefs.push(t.ws.case.notes(pr.notes));
  if (pr.unavailableDates?.length) prefs.push(pr.unavailableDates.map((d) => f.date(d)).join(', '));
  const municipality = municipalities.find((m) => m.code === k.homeMunicipality)?.name ?? k.homeMunicipality;
  const region = regions.find((r) => r.code === k.homeRegionCode)?.name ?? k.homeRegionCode;
  const onAnswered = (next: InboxItem) => {
    previous.current = next;
    setItem(next);
    setLive(q.answered);
  };

  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <WorkspaceNav current="none" />
      <LiveRegion message={live} mode={mode} />
      <div className="ws-grid">
        <section aria-labelledby="req-about" className="ws-panel">
          <Heading level={2} data-size="xs" id="req-about">
            {q.aboutHeading}
          </Heading>
          <dl className="ws-facts">
            <dt>{q.status}</dt>
            <dd data-testid="request-status">
              <StatusTag kind="request" status={item.status} />
            </dd>
            <dt>{q.unit}</dt>
            <dd>{item.unitName}</dd>
            {item.offeredServiceId ? (
              <>
                <dt>{q.offeredService}</dt>
                <dd data-testid="offered-service">{q.equivalentOf(serviceName.get(item.offeredServiceId) ?? item.offeredServiceId, service)}</dd>
              </>
            ) : null}
            <dt>{q.from}</dt>
            <dd>{region}</dd>
            <dt>{q.municipality}</dt>
            <dd>{municipality}</dd>
            <dt>{q.sent}</dt>
            <dd>{f.dateTime(item.sentAt)}</dd>
            <dt>{q.respondBy}</dt>
            <dd>
              <RespondBy iso={item.respondBy} open={item.status === 'pending'} />
            </dd>
            <dt>{q.deadline}</dt>
            <dd>{f.date(k.deadline)}</dd>
            <dt>{q.daysLeft}</dt>
            <dd>
              <DaysLeft days={k.daysLeft} />
            </dd>
            <dt>{t.ws.case.preferences}</dt>
            <dd>
              {prefs.length ? (
                <ul className="ws-reasons">
                  {prefs.map((x) => (
                    <li key={x}>{x}</li>
                  ))}
                </ul>
              ) : (
                t.ws.case.noPreferences
              )}
            </dd>
          </dl>
        </section>
        <section aria-labelledby="req-patient" className="ws-panel">
          <Heading level={2} data-size="xs" id="req-patient">
            {q.patientHeading}
          </Heading>
          <dl className="ws-facts" data-testid="request-patient">
            {p.personnummer ? (
              <>
                <dt>{t.ws.case.name}</dt>
                <dd>{p.name ?? t.ws.case.notGiven}</dd>
                <dt>{t.ws.case.personnummer}</dt>
                <dd>{p.personnummer}</dd>
                <dt>{t.ws.case.phone}</dt>
                <dd>{p.phone ?? t.ws.case.notGiven}</dd>
              </>
            ) : null}
            <dt>{q.birthYear}</dt>
            <dd>{p.birthYear}</dd>
            <dt>{q.sex}</dt>
            <dd>{p.sex === 'F' ? q.sexF : q.sexM}</dd>
          </dl>
          {!p.personnummer && <Paragraph data-size="sm" data-testid="identity-hidden">{q.hiddenIdentity}</Paragraph>}
        </section>
      </div>

      {item.status === 'accepted' && item.offeredDate && <p className="ws-ok">{q.acceptedInfo(f.date(item.offeredDate))}</p>}
      {item.status === 'declined' && <p className="ws-ok">{q.declinedInfo(t.ws.declineReasons[item.declineReason ?? ''] ?? item.declineReason ?? '')}</p>}
      {item.status === 'chosen' && <p className="ws-ok">{q.chosenInfo}</p>}
      {(item.status === 'expired' || item.status === 'withdrawn') && <p className="ws-error">{q.closedInfo(t.ws.requestStatus[item.status] ?? item.status)}</p>}

      {(item.allowedEvents.includes('accept') || item.allowedEvents.includes('decline')) && (
        <section aria-labelledby="req-answer" className="section">
          <Heading level={2} data-size="sm" id="req-answer">
            {q.answerHeading}
          </Heading>
          <div className="ws-grid">
            {item.allowedEvents.includes('accept') && <AcceptForm item={item} onDone={onAnswered} />}
            {item.allowedEvents.includes('decline') && <DeclineForm item={item} onDone={onAnswered} />}
          </div>
        </section>
      )}
      <Paragraph>
        <Link href="/arbetsyta/inkorg">{t.ws.backToInbox}</Link>
      </Paragraph>
    </>
  );
}

function AcceptForm({ item, onDone }: { item: InboxItem; onDone: (i: InboxItem) => void }) {
  const { t } = useI18n();
  const q = t.ws.request;
  const f = useFormatters();
  const [date, setDate] = useState('');
  const [touched, setTouched] = useState(false);
  const action = useAction();
  const today = swedishToday();
  const deadline = item.case.deadline;
  const problem = !date ? q.dateMissing : date > deadline ? q.dateTooLate(f.date(deadline)) : date < today ? q.dateTooEarly : '';
  // Said before submitting: as soon as a date is chosen that cannot be sent.
  const showProblem = date || touched ? problem : '';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problem) return;
    const next = await action.run(() => ws.accept(item.id, item.version, date));
    if (next) onDone(next);
  };
  return (
    <form className="ws-panel ws-form" aria-labelledby="accept-heading" onSubmit={(e) => void submit(e)} noValidate data-testid="accept-form">
      <Heading level={3} data-size="xs" id="accept-heading">
        {q.acceptHeading}
      </Heading>
      <div>
        <Field>
          <Label htmlFor="accept-date">{q.date}</Label>
          <Input
            id="accept-date"
            type="date"
            min={today}
            max={deadline}
            value={date}
            required
            aria-invalid={showProblem ? true : undefined}
            aria-describedby={`accept-date-hint${showProblem ? ' accept-date-problem' : ''}`}
            onChange={(e) => setDate(e.target.value)}
          />
        </Field>
        <p className="hint" id="accept-date-hint">
          {q.dateHint(f.date(deadline))}
        </p>
        {showProblem && (
          <p className="ws-error" id="accept-date-problem" role="alert" data-testid="accept-date-problem">
            {showProblem}
          </p>
        )}
      </div>
      <div>
        <Button type="submit" disabled={action.busy} aria-busy={action.busy || undefined}>
          {q.accept}
        </Button>
        <ActionError error={action.error} />
      </div>
    </form>
  );
}

function DeclineForm({ item, onDone }: { item: InboxItem; onDone: (i: InboxItem) => void }) {
  const { t } = useI18n();
  const q = t.ws.request;
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const [tried, setTried] = useState(false);
  const action = useAction();
  const needsComment = reason === 'other' && !comment.trim();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!reason || needsComment) return;
    const next = await action.run(() => ws.decline(item.id, item.version, reason, comment.trim() || undefined));
    if (next) onDone(next);
  };
  return (
    <form className="ws-panel ws-form" aria-labelledby="decline-heading" onSubmit={(e) => void submit(e)} noValidate data-testid="decline-form">
      <Heading level={3} data-size="xs" id="decline-heading">
        {q.declineHeading}
      </Heading>
      <fieldset>
        <legend>{q.declineReason}</legend>
        {DECLINE_REASONS.map((r) => (
          <Radio key={r} name="decline-reason" value={r} label={t.ws.declineReasons[r] ?? r} checked={reason === r} onChange={() => setReason(r)} />
        ))}
      </fieldset>
      {reason === 'other' && (
        <div>
          <Field>
            <Label htmlFor="decline-comment">{q.comment}</Label>
            <Textarea id="decline-comment" rows={2} value={comment} required onChange={(e) => setComment(e.target.value)} aria-describedby={tried && needsComment ? 'decline-comment-problem' : undefined} />
          </Field>
          {tried && needsComment && (
            <p className="ws-error" id="decline-comment-problem" role="alert">
              {q.commentRequired}
            </p>
          )}
        </div>
      )}
      <div>
        <Button type="submit" variant="secondary" disabled={action.busy || !reason} aria-busy={action.busy || undefined}>
          {q.decline}
        </Button>
        <ActionError error={action.error} />
      </div>
    </form>
  );
}
