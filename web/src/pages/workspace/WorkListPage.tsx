import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Field, Heading, Label, Paragraph, Select, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate, useLocation } from '../../router.js';
import { useSession } from '../../session.js';
import { api, isAbort, type Service, type Unit } from '../../api.js';
import { PageTitle } from '../../components/PageTitle.js';
import { ScrollArea } from '../../components/ScrollArea.js';
import { ws, OPEN_CASE_STATUSES, type AtRiskItem, type Case } from '../../workspace/api.js';
import { DaysLeft, Loading, LoadError, RequireRole, StatusTag, WorkspaceNav, useFormatters } from '../../workspace/common.js';
import '../../workspace/workspace.css';

const PAGE = 50;

/** Journey 3: the coordinator's work list — patients at risk (from the region's waiting list) and open cases. */
export function WorkListPage() {
  const { t } = useI18n();
  return (
    <RequireRole roles={['coordinator']} title={t.ws.worklist.title}>
      <WorkList />
    </RequireRole>
  );
}

function WorkList() {
  const { t, lang, formatNumber } = useI18n();
  const w = t.ws.worklist;
  const f = useFormatters();
  const { me } = useSession();
  const region = me?.regionCode ?? '';
  const { query } = useLocation();
  const service = query.get('service') ?? '';
  const unit = query.get('unit') ?? '';

  const setFilter = useCallback((patch: { service?: string; unit?: string }) => {
    const current = new URLSearchParams(window.location.search);
    const p = new URLSearchParams();
    for (const k of ['service', 'unit'] as const) {
      const v = k in patch ? patch[k] : current.get(k);
      if (v) p.set(k, v);
    }
    const s = p.toString();
    navigate(`${window.location.pathname}${s ? `?${s}` : ''}`, { replace: true });
  }, []);

  const [services, setServices] = useState<Service[]>([]);
  const [units, setUnits] = useState<Unit[]>([]);
  useEffect(() => {
    const ac = new AbortController();
    api.services(ac.signal).then((r) => setServices(r.items)).catch(() => undefined);
    if (region) ws.regionUnits(region, ac.signal).then((r) => setUnits(r.items)).catch(() => undefined);
    return () => ac.abort();
  }, [region]);
  const serviceName = useMemo(() => new Map(services.map((s) => [s.id, s.name[lang]])), [services, lang]);
  const unitName = useMemo(() => new Map(units.map((u) => [u.hsaId, u.name])), [units]);
  const sortedServices = useMemo(() => [...services].sort((a, b) => a.name[lang].localeCompare(b.name[lang], lang)), [services, lang]);
  const unitChoices = useMemo(
    () => units.filter((u) => !service || u.serviceIds.includes(service)).sort((a, b) => a.name.localeCompare(b.name, 'sv')),
    [units, service],
  );

  // Open cases of the region (the API lists them soonest deadline first; the service filter is applied here).
  const [cases, setCases] = useState<Case[] | null>(null);
  const [casesError, setCasesError] = useState<unknown>(null);
  const [casesAttempt, setCasesAttempt] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setCasesError(null);
    ws.cases({ status: OPEN_CASE_STATUSES.join(','), limit: 200 }, ac.signal)
      .then((r) => setCases(r.items))
      .catch((err: unknown) => !isAbort(err) && setCasesError(err));
    return () => ac.abort();
  }, [casesAttempt]);
  const shownCases = (cases ?? []).filter((c) => !service || c.serviceId === service);

  // Patients at risk: paged from the API (service filtered there, unit here).
  const [atRisk, setAtRisk] = useState<AtRiskItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'more' | 'ready' | 'error'>('loading');
  const [riskError, setRiskError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!region) return;
    const ac = new AbortController();
    setState('loading');
    ws.atRisk({ region, service: service || undefined, limit: PAGE }, ac.signal)
      .then((r) => {
        setAtRisk(r.items);
        setCursor(r.nextCursor);
        setState('ready');
      })
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setRiskError(err);
        setState('error');
      });
    return () => ac.abort();
  }, [region, service, attempt]);
  const loadMore = async () => {
    if (!cursor) return;
    setState('more');
    try {
      const r = await ws.atRisk({ region, service: service || undefined, cursor, limit: PAGE });
      setAtRisk((prev) => [...prev, ...r.items]);
      setCursor(r.nextCursor);
      setState('ready');
    } catch (err) {
      setRiskError(err);
      setState('error');
    }
  };
  const shownRisk = atRisk.filter((a) => !unit || a.unitHsaId === unit);

  const openHref = (a: AtRiskItem) =>
    `/arbetsyta/nytt-arende?${new URLSearchParams({ record: a.recordId, service: a.serviceId, unit: a.unitHsaId, clockStart: a.clockStart }).toString()}`;

  return (
    <>
      <PageTitle title={w.title}>{w.title}</PageTitle>
      <WorkspaceNav current="worklist" />
      <Paragraph className="lead">{w.lead}</Paragraph>
      <div className="ws-toolbar">
        <Link href="/arbetsyta/nytt-arende" className="ds-button" data-variant="primary">
          {w.newCase}
        </Link>
      </div>

      <section aria-labelledby="wl-filters" className="filters">
        <Heading level={2} data-size="xs" id="wl-filters">
          {w.filtersHeading}
        </Heading>
        <div className="filters__grid">
          <Field>
            <Label htmlFor="wl-service">{w.service}</Label>
            <Select id="wl-service" value={service} onChange={(e) => setFilter({ service: e.target.value, unit: '' })}>
              <option value="">{w.allServices}</option>
              {sortedServices.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name[lang]}
                </option>
              ))}
            </Select>
          </Field>
          <Field>
            <Label htmlFor="wl-unit">{w.unit}</Label>
            <Select id="wl-unit" value={unit} onChange={(e) => setFilter({ unit: e.target.value })}>
              <option value="">{w.allUnits}</option>
              {unitChoices.map((u) => (
                <option key={u.hsaId} value={u.hsaId}>
                  {u.name}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        {(service || unit) && (
          <Button variant="tertiary" data-size="sm" onClick={() => setFilter({ service: '', unit: '' })}>
            {w.clear}
          </Button>
        )}
      </section>

      <section aria-labelledby="wl-cases" className="section">
        <Heading level={2} data-size="sm" id="wl-cases">
          {w.casesHeading}
        </Heading>
        {casesError ? <LoadError error={casesError} onRetry={() => setCasesAttempt((a) => a + 1)} /> : null}
        {!cases && !casesError && <Loading />}
        {cases && (
          <p role="status" className="results__status">
            {shownCases.length === 0 ? w.casesEmpty : w.casesShown(formatNumber(shownCases.length))}
          </p>
        )}
        {shownCases.length > 0 && (
          <ScrollArea label={w.casesCaption}>
            <Table zebra border data-size="sm" data-testid="cases-table">
              <caption>{w.casesCaption}</caption>
              <Table.Head>
                <Table.Row>
                  <Table.HeaderCell scope="col">{w.colPatient}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.colService}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.colDeadline}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.colDaysLeft}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.colStatus}</Table.HeaderCell>
                </Table.Row>
              </Table.Head>
              <Table.Body>
                {shownCases.map((c) => (
                  <Table.Row key={c.id} data-case-id={c.id}>
                    <Table.HeaderCell scope="row">
                      <Link href={`/arbetsyta/arenden/${c.id}`} aria-label={w.showFor(c.patient.masked)}>
                        {c.patient.masked}
                      </Link>
                      {c.origin === 'patient' && (
                        <span className="ws-new" title={w.newTagTitle}>
                          {w.newTag}
                        </span>
                      )}
                    </Table.HeaderCell>
                    <Table.Cell>{serviceName.get(c.serviceId) ?? c.serviceId}</Table.Cell>
                    <Table.Cell className="ws-nowrap">{f.date(c.deadline)}</Table.Cell>
                    <Table.Cell>
                      <DaysLeft days={c.daysLeft} />
                    </Table.Cell>
                    <Table.Cell>
                      <StatusTag kind="case" status={c.status} />
                    </Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
            </Table>
          </ScrollArea>
        )}
      </section>

      <section aria-labelledby="wl-risk" className="section">
        <Heading level={2} data-size="sm" id="wl-risk">
          {w.atRiskHeading}
        </Heading>
        <Paragraph data-size="sm">{w.atRiskHelp}</Paragraph>
        <p role="status" className="results__status">
          {state === 'loading' || state === 'more'
            ? t.ws.loading
            : state === 'ready'
              ? shownRisk.length === 0
                ? w.atRiskEmpty
                : w.atRiskShown(formatNumber(shownRisk.length), !!cursor)
              : ''}
        </p>
        {unit && cursor && <p className="hint">{w.unitFilterNote}</p>}
        {state === 'error' && <LoadError error={riskError} onRetry={() => setAttempt((a) => a + 1)} />}
        {shownRisk.length > 0 && state !== 'loading' && (
          <ScrollArea label={w.atRiskCaption}>
            <Table zebra border data-size="sm" data-testid="at-risk-table">
              <caption>{w.atRiskCaption}</caption>
              <Table.Head>
                <Table.Row>
                  <Table.HeaderCell scope="col">{w.colRecord}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.colService}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.colUnit}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.colDeadline}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.colDaysLeft}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.colForecast}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">
                    {w.colWaited}
                  </Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.colAction}</Table.HeaderCell>
                </Table.Row>
              </Table.Head>
              <Table.Body>
                {shownRisk.map((a) => {
                  const late = a.forecastDate ? daysBetween(a.deadline, a.forecastDate) : null;
                  return (
                    <Table.Row key={a.recordId} data-record-id={a.recordId}>
                      <Table.HeaderCell scope="row">{a.recordId}</Table.HeaderCell>
                      <Table.Cell>{serviceName.get(a.serviceId) ?? a.serviceId}</Table.Cell>
                      <Table.Cell>{unitName.get(a.unitHsaId) ?? a.unitHsaId}</Table.Cell>
                      <Table.Cell className="ws-nowrap">{f.date(a.deadline)}</Table.Cell>
                      <Table.Cell>
                        <DaysLeft days={a.daysLeft} />
                      </Table.Cell>
                      <Table.Cell>
                        {a.forecastDate ? (
                          <>
                            <span className="ws-nowrap">{f.date(a.forecastDate)}</span>
                            {late !== null && late > 0 && <div className="hint">{w.forecastLate(formatNumber(late))}</div>}
                          </>
                        ) : (
                          w.forecastUnknown
                        )}
                      </Table.Cell>
                      <Table.Cell className="num">{formatNumber(a.waitedDays)}</Table.Cell>
                      <Table.Cell>
                        <Link href={openHref(a)} aria-label={w.openFor(a.recordId)} className="ws-nowrap">
                          {w.open}
                        </Link>
                      </Table.Cell>
                    </Table.Row>
                  );
                })}
              </Table.Body>
            </Table>
          </ScrollArea>
        )}
        {cursor && (state === 'ready' || state === 'more') && (
          <Button variant="secondary" onClick={() => void loadMore()} disabled={state === 'more'} className="show-more">
            {w.showMore}
          </Button>
        )}
      </section>
    </>
  );
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
