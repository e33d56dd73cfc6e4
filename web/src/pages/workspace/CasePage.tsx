import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Button, Checkbox, Field, Heading, Input, Label, Paragraph, Radio, Select, Switch, Table, Textarea } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { useSession } from '../../session.js';
import { ApiError, api, isAbort, type Municipality, type Region, type Service } from '../../api.js';
import { PageTitle } from '../../components/PageTitle.js';
import { ScrollArea } from '../../components/ScrollArea.js';
import { ws, CANCEL_REASONS, CLOSE_REASONS, OUTCOMES, type Case, type HistoryItem, type SearchOption, type SearchResult } from '../../workspace/api.js';
import { OptionsMap } from '../../workspace/OptionsMap.js';
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

/** Journey 3: one case — the patient, the guarantee, capacity search, requests, the next step and the timeline. */
export function CasePage({ id }: { id: string }) {
  const { t } = useI18n();
  return (
    <RequireRole roles={['coordinator']} title={t.ws.case.title('')}>
      <CaseView id={id} />
    </RequireRole>
  );
}

interface Names {
  service: Map<string, string>;
  region: Map<string, string>;
  municipality: Map<string, Municipality>;
}

function CaseView({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const c = t.ws.case;
  const f = useFormatters();
  const { me } = useSession();
  const [kase, setKase] = useState<Case | null>(null);
  const [history, setHistory] = useState<HistoryItem[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [live, setLive] = useState('');
  const previous = useRef<Case | null>(null);

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
  const names: Names = useMemo(
    () => ({
      service: new Map(services.map((s) => [s.id, s.name[lang]])),
      region: new Map(regions.map((r) => [r.code, r.name])),
      municipality: new Map(municipalities.map((m) => [m.code, m])),
    }),
    [services, regions, municipalities, lang],
  );

  /** Re-read the case (and its timeline); announce what others changed since the last read. */
  const refresh = useCallback(
    async (announce: boolean) => {
      try {
        const [next, h] = await Promise.all([ws.getCase(id), ws.history(id)]);
        const before = previous.current;
        if (announce && before && before.version !== next.version) {
          const changes: string[] = [];
          for (const r of next.requests) {
            const old = before.requests.find((x) => x.id === r.id);
            if (old && old.status !== r.status) changes.push(t.ws.live.requestChanged(r.unitName, t.ws.requestStatus[r.status] ?? r.status));
          }
          if (before.status !== next.status) changes.push(t.ws.caseStatus[next.status] ?? next.status);
          if (changes.length) setLive(t.ws.live.caseChanged(changes.join('; ')));
        }
        previous.current = next;
        setKase(next);
        setHistory(h.items);
        setLoadError(null);
      } catch (err) {
        if (!isAbort(err)) setLoadError(err);
      }
    },
    [id, t],
  );
  useEffect(() => {
    void refresh(false);
  }, [refresh, attempt]);
  const mode = useLiveUpdates(() => void refresh(true), { caseId: id, enabled: !!kase });

  /** After our own change: show the new case at once, then re-read the timeline. */
  const applied = useCallback(
    (next: Case, message: string) => {
      previous.current = next;
      setKase(next);
      setLive(message);
      void ws.history(id).then((h) => setHistory(h.items)).catch(() => undefined);
    },
    [id],
  );
  /** A stale version (412): read again so the next try uses the current version. */
  const onError = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && (err.status === 412 || err.status === 409)) void refresh(false);
    },
    [refresh],
  );

  const serviceName = kase ? (names.service.get(kase.serviceId) ?? kase.serviceId) : '';
  const title = c.title(serviceName);
  if (!kase) {
    return (
      <>
        <PageTitle title={title}>{title}</PageTitle>
        {loadError ? <LoadError error={loadError} onRetry={() => setAttempt((a) => a + 1)} /> : <Loading />}
        <Paragraph>
          <Link href="/arbetsyta/arbetslista">{t.ws.backToWorklist}</Link>
        </Paragraph>
      </>
    );
  }
  const p = kase.patient;
  const home = names.municipality.get(p.homeMunicipality);
  const canSearch = kase.allowedEvents.includes('request_sent');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <WorkspaceNav current="none" />
      <LiveRegion message={live} mode={mode} />
      <div className="ws-grid">
        <section aria-labelledby="case-patient" className="ws-panel">
          <Heading level={2} data-size="xs" id="case-patient">
            {c.patientHeading}
          </Heading>
          <dl className="ws-facts" data-testid="case-patient">
            <dt>{c.name}</dt>
            <dd>{p.name ?? c.notGiven}</dd>
            <dt>{c.personnummer}</dt>
            <dd>{p.personnummer ?? p.masked}</dd>
            <dt>{c.phone}</dt>
            <dd>{p.phone ?? c.notGiven}</dd>
            <dt>{c.municipality}</dt>
            <dd>{home?.name ?? p.homeMunicipality}</dd>
            <dt>{c.origin}</dt>
            <dd>
              {kase.origin === 'patient' ? (
                <>
                  {c.originPatient} <span className="ws-new">{t.ws.worklist.newTag}</span>
                </>
              ) : (
                c.originCoordinator
              )}
            </dd>
            <dt>{c.preferences}</dt>
            <dd>
              <Preferences kase={kase} />
            </dd>
          </dl>
        </section>
        <section aria-labelledby="case-guarantee" className="ws-panel">
          <Heading level={2} data-size="xs" id="case-guarantee">
            {c.guaranteeHeading}
          </Heading>
          <dl className="ws-facts">
            <dt>{c.status}</dt>
            <dd data-testid="case-status">
              <StatusTag kind="case" status={kase.status} />
            </dd>
            <dt>{c.clockStart}</dt>
            <dd>{f.date(kase.clockStart)}</dd>
            <dt>{c.deadline}</dt>
            <dd>{f.date(kase.deadline)}</dd>
            <dt>{c.daysLeft}</dt>
            <dd>
              <DaysLeft days={kase.daysLeft} />
            </dd>
            {kase.bookedDate && (
              <>
                <dt>{c.booked}</dt>
                <dd data-testid="booked-date">{f.date(kase.bookedDate)}</dd>
              </>
            )}
            {kase.completedOn && (
              <>
                <dt>{c.completed}</dt>
                <dd>{f.date(kase.completedOn)}</dd>
                <dt>{c.outcome}</dt>
                <dd>{t.ws.outcomes[kase.outcome ?? ''] ?? kase.outcome}</dd>
              </>
            )}
          </dl>
          {kase.referral && <Paragraph data-size="sm">{c.referral(f.date(kase.referral.validUntil))}</Paragraph>}
          {kase.end && (
            <Paragraph data-size="sm">
              {c.ended(t.ws.cancelReasons[kase.end.reason] ?? t.ws.closeReasons[kase.end.reason] ?? kase.end.reason)}
              {kase.end.comment ? ` ${kase.end.comment}` : ''}
            </Paragraph>
          )}
        </section>
      </div>

      <Requests kase={kase} names={names} onChanged={applied} onError={onError} />
      {canSearch && <Search kase={kase} names={names} home={home ?? null} onSent={() => void refresh(false)} />}
      <NextSteps kase={kase} onChanged={applied} onError={onError} />
      <Timeline items={history} kase={kase} names={names} me={me?.subject ?? ''} />
      <Paragraph>
        <Link href="/arbetsyta/arbetslista">{t.ws.backToWorklist}</Link>
      </Paragraph>
    </>
  );
}

function Preferences({ kase }: { kase: Case }) {
  const { t, formatNumber } = useI18n();
  const c = t.ws.case;
  const pr = kase.preferences;
  const items: string[] = [];
  if (pr.maxDistanceKm) items.push(c.maxDistance(formatNumber(pr.maxDistanceKm)));
  if (pr.language) items.push(c.language(pr.language));
  if (pr.accessibilityNeeds) items.push(c.accessibility(pr.accessibilityNeeds));
  if (pr.notes) items.push(c.notes(pr.notes));
  if (!items.length) return <>{c.noPreferences}</>;
  return (
    <ul className="ws-reasons">
      {items.map((i) => (
        <li key={i}>{i}</li>
      ))}
    </ul>
  );
}

/* ------------------------------------------------------------- search and send ------------------------------------------------------------- */

function Search({ kase, names, home, onSent }: { kase: Case; names: Names; home: Municipality | null; onSent: () => void }) {
  const { t, lang, formatNumber } = useI18n();
  const c = t.ws.case;
  const f = useFormatters();
  const [result, setResult] = useState<SearchResult | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [respondMode, setRespondMode] = useState<'default' | 'custom'>('default');
  const [respondBy, setRespondBy] = useState('');
  const [sendErrors, setSendErrors] = useState<string[]>([]);
  const [sentMessage, setSentMessage] = useState('');
  const search = useAction();
  const send = useAction();
  const openUnits = new Set(kase.requests.filter((r) => r.status === 'pending' || r.status === 'accepted').map((r) => r.unitHsaId));

  const runSearch = async () => {
    setSentMessage('');
    const today = swedishToday();
    const r = await search.run(() =>
      ws.search({
        service: kase.serviceId,
        municipality: kase.patient.homeMunicipality,
        deadline: kase.deadline >= today ? kase.deadline : undefined,
        maxDistanceKm: kase.preferences.maxDistanceKm,
        limit: 30,
      }),
    );
    if (r) {
      setResult(r);
      setSelected([]);
    }
  };

  const toggle = (hsaId: string, on: boolean) => setSelected((s) => (on ? [...s, hsaId] : s.filter((x) => x !== hsaId)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!selected.length) return;
    setSendErrors([]);
    setSentMessage('');
    const respondIso = respondMode === 'custom' && respondBy ? new Date(respondBy).toISOString() : undefined;
    const errors: string[] = [];
    let sent = 0;
    await send.run(async () => {
      // Each request changes the case's version: read it before each send so If-Match is the current one.
      for (const hsaId of selected) {
        const option = result?.options.find((o) => o.unit.hsaId === hsaId);
        try {
          const current = await ws.getCase(kase.id);
          await ws.sendRequest(kase.id, current.version, { unitHsaId: hsaId, ...(respondIso ? { respondBy: respondIso } : {}) });
          sent += 1;
        } catch (err) {
          errors.push(c.sendError(option?.unit.name ?? hsaId, err instanceof ApiError ? err.detail : String(err)));
        }
      }
    });
    setSendErrors(errors);
    if (sent) {
      setSentMessage(c.sent(sent));
      setSelected([]);
    }
    onSent();
  };

  const summary = (o: SearchOption) => {
    const s = c.summary;
    const parts: string[] = [];
    if (o.forecastWaitDays === null) parts.push(s.noForecast);
    parts.push(o.meetsDeadline === true ? s.meets : o.meetsDeadline === false ? s.notMeets : s.unknownDeadline);
    if (o.daysSaved !== null && o.daysSaved !== 0) parts.push(o.daysSaved > 0 ? s.earlier(formatNumber(o.daysSaved)) : s.later(formatNumber(-o.daysSaved)));
    if (o.distanceKm !== null) parts.push(s.km(formatNumber(Math.round(o.distanceKm))));
    const h = o.trackRecord?.medianResponseHours;
    if (h !== null && h !== undefined) {
      if (h < 24) parts.push(s.respondsHours(formatNumber(Math.max(1, Math.round(h)))));
      else {
        const d = Math.ceil(h / 24);
        parts.push(s.respondsDays(formatNumber(d), d === 1));
      }
    }
    if (o.capacityAvailable === false) parts.push(s.noCapacity);
    return parts.join(' · ');
  };

  return (
    <section aria-labelledby="case-search" className="section">
      <Heading level={2} data-size="sm" id="case-search">
        {c.searchHeading}
      </Heading>
      <Paragraph data-size="sm">{c.searchHelp}</Paragraph>
      <Button onClick={() => void runSearch()} disabled={search.busy} aria-busy={search.busy || undefined} data-testid="search-button">
        {search.busy ? c.searching : c.searchButton}
      </Button>
      <ActionError error={search.error} />
      <p role="status" className="results__status" data-testid="search-status">
        {result ? (result.options.length ? c.resultsCount(formatNumber(result.options.length), formatNumber(result.total)) : c.noOptions) : ''}
      </p>
      {result && result.options.length > 0 && (
        <form onSubmit={(e) => void submit(e)}>
          <div className="map-layout ws-results">
            <ScrollArea label={c.optionsCaption}>
              <Table border data-size="sm" data-testid="options-table">
                <caption>{c.optionsCaption}</caption>
                <Table.Head>
                  <Table.Row>
                    <Table.HeaderCell scope="col">{c.colChoose}</Table.HeaderCell>
                    <Table.HeaderCell scope="col" className="num">
                      {c.colRank}
                    </Table.HeaderCell>
                    <Table.HeaderCell scope="col">{c.colUnit}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{c.colWait}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{c.colReasons}</Table.HeaderCell>
                  </Table.Row>
                </Table.Head>
                <Table.Body>
                  {result.options.map((o) => {
                    const asked = openUnits.has(o.unit.hsaId);
                    const inputId = `opt-${o.unit.hsaId}`;
                    return (
                      <Table.Row key={o.unit.hsaId} data-hsa-id={o.unit.hsaId} data-organization-id={o.unit.organizationId} data-region={o.unit.regionCode} data-meets={String(o.meetsDeadline)} data-capacity={String(o.capacityAvailable)}>
                        <Table.Cell>
                          {asked ? (
                            <span className="hint">{c.alreadyAsked}</span>
                          ) : (
                            <Checkbox
                              id={inputId}
                              aria-label={c.chooseUnit(o.unit.name)}
                              checked={selected.includes(o.unit.hsaId)}
                              onChange={(e) => toggle(o.unit.hsaId, e.target.checked)}
                            />
                          )}
                        </Table.Cell>
                        <Table.Cell className="num">{formatNumber(o.rank)}</Table.Cell>
                        <Table.HeaderCell scope="row">
                          {o.unit.name}
                          <div className="hint">
                            {names.region.get(o.unit.regionCode) ?? o.unit.regionCode}
                            {o.homeRegion ? ` (${c.homeRegion})` : ''}
                          </div>
                          {o.offeredServiceId !== result.serviceId && (
                            <div className="hint" data-offered-service={o.offeredServiceId}>
                              {c.equivalentService(names.service.get(o.offeredServiceId) ?? o.offeredServiceId)}
                            </div>
                          )}
                        </Table.HeaderCell>
                        <Table.Cell>
                          {o.forecastWaitDays === null ? (
                            <span className="ws-stale">{c.unknown}</span>
                          ) : (
                            <>
                              <span className="ws-nowrap">{c.waitDays(formatNumber(o.forecastWaitDays))}</span>
                              <div className="hint">{o.forecastSource === 'reported' ? c.fromReport : c.fromWaitingList}</div>
                              {o.earliestDate && (
                                <div className="hint ws-nowrap">
                                  {c.colEarliest}: {f.date(o.earliestDate)}
                                </div>
                              )}
                            </>
                          )}
                          {o.stale && (
                            <div>
                              <span className="ws-stale" title={c.staleTitle}>
                                {c.stale}
                              </span>
                            </div>
                          )}
                        </Table.Cell>
                        <Table.Cell>
                          <div className="ws-summary">{summary(o)}</div>
                          <details>
                            <summary>{c.allReasons}</summary>
                            <ul className="ws-reasons">
                              {o.reasons.map((r, i) => (
                                <li key={i}>{r[lang]}</li>
                              ))}
                            </ul>
                          </details>
                        </Table.Cell>
                      </Table.Row>
                    );
                  })}
                </Table.Body>
              </Table>
            </ScrollArea>
            <OptionsMap options={result.options} home={home ? { ...home.location, name: home.name } : null} />
          </div>
          {result.excluded.length > 0 && (
            <details className="section">
              <summary>{c.excluded(formatNumber(result.excludedCount))}</summary>
              <ScrollArea label={c.excludedCaption}>
                <Table border data-size="sm">
                  <caption>{c.excludedCaption}</caption>
                  <Table.Head>
                    <Table.Row>
                      <Table.HeaderCell scope="col">{c.colUnit}</Table.HeaderCell>
                      <Table.HeaderCell scope="col">{c.colReasons}</Table.HeaderCell>
                    </Table.Row>
                  </Table.Head>
                  <Table.Body>
                    {result.excluded.map((x) => (
                      <Table.Row key={x.unit.hsaId}>
                        <Table.HeaderCell scope="row">{x.unit.name}</Table.HeaderCell>
                        <Table.Cell>{x.reason[lang]}</Table.Cell>
                      </Table.Row>
                    ))}
                  </Table.Body>
                </Table>
              </ScrollArea>
            </details>
          )}
          <div className="ws-panel section">
            <Heading level={3} data-size="xs">
              {c.sendHeading}
            </Heading>
            <p role="status" data-testid="selected-count">
              {c.selected(selected.length)}
            </p>
            <fieldset className="ws-form">
              <legend>{c.respondByLegend}</legend>
              <Radio label={c.respondByDefault} name="respond-mode" value="default" checked={respondMode === 'default'} onChange={() => setRespondMode('default')} />
              <Radio label={c.respondByCustom} name="respond-mode" value="custom" checked={respondMode === 'custom'} onChange={() => setRespondMode('custom')} />
              {respondMode === 'custom' && (
                <div>
                  <Field>
                    <Label htmlFor="respond-by">{c.respondByTime}</Label>
                    <Input id="respond-by" type="datetime-local" value={respondBy} onChange={(e) => setRespondBy(e.target.value)} aria-describedby="respond-by-hint" />
                  </Field>
                  <p className="hint" id="respond-by-hint">
                    {c.respondByHint}
                  </p>
                </div>
              )}
            </fieldset>
            <Button type="submit" disabled={!selected.length || send.busy} aria-busy={send.busy || undefined} className="section" data-testid="send-requests">
              {send.busy ? c.sending : c.send(selected.length)}
            </Button>
            {sentMessage && (
              <p className="ws-ok" role="status">
                {sentMessage}
              </p>
            )}
            {sendErrors.length > 0 && (
              <div role="alert" className="ws-error" data-testid="action-error">
                <ul>
                  {sendErrors.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              </div>
            )}
          </div>
        </form>
      )}
    </section>
  );
}

/* ----------------------------------------------------------------- requests ----------------------------------------------------------------- */

function Requests({ kase, names, onChanged, onError }: { kase: Case; names: Names; onChanged: (c: Case, message: string) => void; onError: (e: unknown) => void }) {
  const { t } = useI18n();
  const c = t.ws.case;
  const f = useFormatters();
  const action = useAction();
  const [errorFor, setErrorFor] = useState<string | null>(null);
  const canChoose = kase.allowedEvents.includes('choose');
  const act = async (requestId: string, fn: () => Promise<Case>) => {
    setErrorFor(requestId);
    const next = await action.run(fn);
    if (next) onChanged(next, c.done);
  };
  useEffect(() => {
    if (action.error) onError(action.error);
  }, [action.error, onError]);
  void names;
  return (
    <section aria-labelledby="case-requests" className="section">
      <Heading level={2} data-size="sm" id="case-requests">
        {c.requestsHeading}
      </Heading>
      {kase.requests.length === 0 ? (
        <Paragraph>{c.noRequests}</Paragraph>
      ) : (
        <ScrollArea label={c.requestsCaption}>
          <Table border data-size="sm" data-testid="requests-table">
            <caption>{c.requestsCaption}</caption>
            <Table.Head>
              <Table.Row>
                <Table.HeaderCell scope="col">{c.colUnit}</Table.HeaderCell>
                <Table.HeaderCell scope="col">{c.colStatus}</Table.HeaderCell>
                <Table.HeaderCell scope="col">{c.colRespondBy}</Table.HeaderCell>
                <Table.HeaderCell scope="col">{c.colAnswer}</Table.HeaderCell>
                <Table.HeaderCell scope="col">{c.colActions}</Table.HeaderCell>
              </Table.Row>
            </Table.Head>
            <Table.Body>
              {kase.requests.map((r) => (
                <Table.Row key={r.id} data-request-id={r.id} data-hsa-id={r.unitHsaId} data-status={r.status}>
                  <Table.HeaderCell scope="row">{r.unitName}</Table.HeaderCell>
                  <Table.Cell>
                    <StatusTag kind="request" status={r.status} />
                  </Table.Cell>
                  <Table.Cell>
                    <RespondBy iso={r.respondBy} open={r.status === 'pending'} />
                  </Table.Cell>
                  <Table.Cell>
                    {r.offeredDate && <span className="ws-nowrap">{c.offered(f.date(r.offeredDate))}</span>}
                    {r.declineReason && (
                      <>
                        {c.declined(t.ws.declineReasons[r.declineReason] ?? r.declineReason)}
                        {r.declineComment ? ` (${r.declineComment})` : ''}
                      </>
                    )}
                  </Table.Cell>
                  <Table.Cell>
                    <div className="ws-actions">
                      {canChoose && r.allowedEvents.includes('choose') && (
                        <Button data-size="sm" disabled={action.busy} aria-label={c.chooseFor(r.unitName)} onClick={() => void act(r.id, () => ws.choose(kase.id, kase.version, r.id))}>
                          {c.choose}
                        </Button>
                      )}
                      {r.allowedEvents.includes('withdraw') && (
                        <Button data-size="sm" variant="secondary" disabled={action.busy} aria-label={c.withdrawFor(r.unitName)} onClick={() => void act(r.id, () => ws.withdraw(r.id, r.version))}>
                          {c.withdraw}
                        </Button>
                      )}
                    </div>
                    {errorFor === r.id && <ActionError error={action.error} />}
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </ScrollArea>
      )}
    </section>
  );
}

/* ---------------------------------------------------------------- next steps ---------------------------------------------------------------- */

function NextSteps({ kase, onChanged, onError }: { kase: Case; onChanged: (c: Case, message: string) => void; onError: (e: unknown) => void }) {
  const { t } = useI18n();
  const c = t.ws.case;
  const canBook = kase.allowedEvents.includes('book');
  const canComplete = kase.allowedEvents.includes('complete');
  const canCancel = kase.allowedEvents.includes('cancel');
  const canClose = kase.allowedEvents.includes('close_unresolved');
  const chosen = kase.requests.find((r) => r.id === kase.chosenRequestId);
  const [bookDate, setBookDate] = useState(kase.bookedDate ?? chosen?.offeredDate ?? '');
  const today = swedishToday();
  // Care is recorded as given today or earlier: the booked date when it has come, else today.
  const completeDefault = kase.bookedDate && kase.bookedDate <= today ? kase.bookedDate : today;
  const [completeDate, setCompleteDate] = useState(completeDefault);
  const [outcome, setOutcome] = useState<string>('treated');
  const [endKind, setEndKind] = useState<'cancel' | 'close'>(canClose ? 'close' : 'cancel');
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const book = useAction();
  const complete = useAction();
  const end = useAction();
  useEffect(() => {
    setCompleteDate(completeDefault);
  }, [completeDefault]);
  useEffect(() => {
    if (!bookDate && chosen?.offeredDate) setBookDate(chosen.offeredDate);
  }, [chosen?.offeredDate, bookDate]);
  useEffect(() => {
    for (const e of [book.error, complete.error, end.error]) if (e) onError(e);
  }, [book.error, complete.error, end.error, onError]);
  if (!canBook && !canComplete && !canCancel && !canClose) return null;
  const reasons = endKind === 'cancel' ? CANCEL_REASONS : CLOSE_REASONS;
  const reasonLabels = endKind === 'cancel' ? t.ws.cancelReasons : t.ws.closeReasons;

  const run = async (a: ReturnType<typeof useAction>, fn: () => Promise<Case>) => {
    const next = await a.run(fn);
    if (next) onChanged(next, c.done);
  };
  return (
    <section aria-labelledby="case-next" className="section">
      <Heading level={2} data-size="sm" id="case-next">
        {c.actionsHeading}
      </Heading>
      <div className="ws-grid">
        {canBook && (
          <form
            className="ws-panel ws-form"
            aria-labelledby="book-heading"
            onSubmit={(e) => {
              e.preventDefault();
              if (bookDate) void run(book, () => ws.book(kase.id, kase.version, bookDate));
            }}
          >
            <Heading level={3} data-size="xs" id="book-heading">
              {c.bookHeading}
            </Heading>
            <Field>
              <Label htmlFor="book-date">{c.bookDate}</Label>
              <Input id="book-date" type="date" required min={today} value={bookDate} onChange={(e) => setBookDate(e.target.value)} />
            </Field>
            <div>
              <Button type="submit" disabled={book.busy || !bookDate}>
                {c.book}
              </Button>
              <ActionError error={book.error} />
            </div>
          </form>
        )}
        {canComplete && (
          <form
            className="ws-panel ws-form"
            aria-labelledby="complete-heading"
            onSubmit={(e) => {
              e.preventDefault();
              void run(complete, () => ws.complete(kase.id, kase.version, completeDate, outcome));
            }}
          >
            <Heading level={3} data-size="xs" id="complete-heading">
              {c.completeHeading}
            </Heading>
            <Field>
              <Label htmlFor="complete-date">{c.completeDate}</Label>
              <Input id="complete-date" type="date" required max={today} value={completeDate} onChange={(e) => setCompleteDate(e.target.value)} />
            </Field>
            <Field>
              <Label htmlFor="complete-outcome">{c.outcome}</Label>
              <Select id="complete-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
                {OUTCOMES.map((o) => (
                  <option key={o} value={o}>
                    {t.ws.outcomes[o]}
                  </option>
                ))}
              </Select>
            </Field>
            <div>
              <Button type="submit" disabled={complete.busy || !completeDate}>
                {c.complete}
              </Button>
              <ActionError error={complete.error} />
            </div>
          </form>
        )}
        {(canCancel || canClose) && (
          <form
            className="ws-panel ws-form"
            aria-labelledby="end-heading"
            onSubmit={(e) => {
              e.preventDefault();
              if (reason) void run(end, () => ws.end(kase.id, kase.version, endKind, reason, comment.trim() || undefined));
            }}
          >
            <Heading level={3} data-size="xs" id="end-heading">
              {c.endHeading}
            </Heading>
            {canCancel && canClose && (
              <fieldset>
                <legend>{c.endKind}</legend>
                <Radio label={c.close} name="end-kind" value="close" checked={endKind === 'close'} onChange={() => { setEndKind('close'); setReason(''); }} />
                <Radio label={c.cancel} name="end-kind" value="cancel" checked={endKind === 'cancel'} onChange={() => { setEndKind('cancel'); setReason(''); }} />
              </fieldset>
            )}
            <Field>
              <Label htmlFor="end-reason">{c.reason}</Label>
              <Select id="end-reason" value={reason} required onChange={(e) => setReason(e.target.value)}>
                <option value="">{c.chooseReason}</option>
                {reasons.map((r) => (
                  <option key={r} value={r}>
                    {reasonLabels[r]}
                  </option>
                ))}
              </Select>
            </Field>
            <Field>
              <Label htmlFor="end-comment">{reason === 'other' ? c.commentRequired : c.comment}</Label>
              <Textarea id="end-comment" rows={2} value={comment} required={reason === 'other'} onChange={(e) => setComment(e.target.value)} />
            </Field>
            <div>
              <Button type="submit" variant="secondary" data-color="danger" disabled={end.busy || !reason || (reason === 'other' && !comment.trim())}>
                {endKind === 'cancel' ? c.cancel : c.close}
              </Button>
              <ActionError error={end.error} />
            </div>
          </form>
        )}
      </div>
    </section>
  );
}

/* ----------------------------------------------------------------- timeline ----------------------------------------------------------------- */

function Timeline({ items, kase, names, me }: { items: HistoryItem[]; kase: Case; names: Names; me: string }) {
  const { t } = useI18n();
  const c = t.ws.case;
  const f = useFormatters();
  const [showReads, setShowReads] = useState(false);
  const unitName = new Map(kase.requests.map((r) => [r.unitHsaId, r.unitName]));
  const shown = items.filter((i) => showReads || !/\.(read|history)$/.test(i.action));
  const detail = (i: HistoryItem): string => {
    const d = i.details;
    const parts: string[] = [];
    if (typeof d.unitHsaId === 'string') parts.push(unitName.get(d.unitHsaId) ?? d.unitHsaId);
    if (typeof d.offeredDate === 'string') parts.push(c.offered(f.date(d.offeredDate)));
    if (typeof d.reasonCode === 'string')
      parts.push(t.ws.declineReasons[d.reasonCode] ?? t.ws.cancelReasons[d.reasonCode] ?? t.ws.closeReasons[d.reasonCode] ?? d.reasonCode);
    if (typeof d.date === 'string') parts.push(f.date(d.date));
    if (typeof d.outcome === 'string') parts.push(t.ws.outcomes[d.outcome] ?? d.outcome);
    if (i.action === 'case.open' && typeof d.serviceId === 'string') parts.push(names.service.get(d.serviceId) ?? d.serviceId);
    return parts.join(' · ');
  };
  const who = (i: HistoryItem) => (i.actor.subject === me ? '' : (i.actor.organizationId ?? (i.actor.regionCode ? names.region.get(i.actor.regionCode) : '') ?? ''));
  return (
    <section aria-labelledby="case-timeline" className="section">
      <Heading level={2} data-size="sm" id="case-timeline">
        {c.timelineHeading}
      </Heading>
      <Switch label={c.showReads} checked={showReads} onChange={(e) => setShowReads(e.target.checked)} />
      {shown.length === 0 ? (
        <Paragraph>{c.timelineEmpty}</Paragraph>
      ) : (
        <ol className="ws-timeline" data-testid="timeline">
          {shown.map((i, n) => {
            const d = detail(i);
            const by = who(i);
            return (
              <li key={`${i.at}-${n}`} data-action={i.action}>
                <time dateTime={i.at}>{f.dateTime(i.at)}</time>
                <strong>{c.actions[i.action] ?? i.action}</strong>
                {d && <> · {d}</>}
                {by && <span className="hint"> · {c.by(by)}</span>}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
