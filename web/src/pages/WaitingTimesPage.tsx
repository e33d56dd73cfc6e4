import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Alert, Button, Details, Heading, Paragraph, Select, Field, Label, Spinner, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { navigate, useLocation } from '../router.js';
import { api, isAbort, type Region, type Service } from '../api.js';
import { PageTitle } from '../components/PageTitle.js';
import { ScrollArea } from '../components/ScrollArea.js';
import { ServicePicker } from '../components/ServicePicker.js';
import { WaitMap } from '../components/WaitMap.js';
import { WaitChart } from '../components/WaitChart.js';
import { fetchWaitingTimes, STATISTICAL_VIEWS, type StatisticalView, type WaitingTimeRow, type WaitingTimesAnswer } from '../components/waiting-times-api.js';

const GUARANTEE_DAYS = 90;
const HIDDEN_ID = 'om-dolda-uppgifter';
const STALE_ID = 'om-inaktuella-uppgifter';

/** The query string is the page's state: ?service=…&view=…&region=… (shareable, survives reload). */
function setQuery(patch: Record<string, string>) {
  const p = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v) p.set(k, v);
    else p.delete(k);
  }
  const s = p.toString();
  navigate(`${window.location.pathname}${s ? `?${s}` : ''}`, { replace: true });
}

/** "Väntetider" (journey 1): pick a service, see the nation, every region (map, chart, table) and a region's units. */
export function WaitingTimesPage() {
  const { t, lang } = useI18n();
  const w = t.waitingTimes;
  const { query } = useLocation();
  const serviceId = query.get('service') ?? '';
  const view: StatisticalView = (STATISTICAL_VIEWS as readonly string[]).includes(query.get('view') ?? '') ? (query.get('view') as StatisticalView) : 'excluding_pvv_and_mov';
  const regionCode = query.get('region') ?? '';

  const [services, setServices] = useState<Service[] | null>(null);
  const [regions, setRegions] = useState<Region[] | null>(null);
  const [listsError, setListsError] = useState(false);
  useEffect(() => {
    const ac = new AbortController();
    Promise.all([api.services(ac.signal), api.regions(undefined, ac.signal)])
      .then(([s, r]) => {
        setServices(s.items);
        setRegions(r.items);
      })
      .catch((err: unknown) => !isAbort(err) && setListsError(true));
    return () => ac.abort();
  }, []);
  const service = services?.find((s) => s.id === serviceId);

  const [answer, setAnswer] = useState<WaitingTimesAnswer | null>(null);
  const [state, setState] = useState<'idle' | 'loading' | 'ready' | 'error'>('idle');
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!serviceId) {
      setState('idle');
      return;
    }
    const ac = new AbortController();
    setState('loading');
    fetchWaitingTimes(serviceId, view, ac.signal)
      .then((a) => {
        setAnswer(a);
        setState('ready');
      })
      .catch((err: unknown) => !isAbort(err) && setState('error'));
    return () => ac.abort();
  }, [serviceId, view, attempt]);

  const pick = useCallback((id: string) => {
    setQuery({ service: id, region: '' });
    window.requestAnimationFrame(() => document.getElementById('service-heading')?.focus());
  }, []);
  const chooseRegion = useCallback((code: string) => {
    setQuery({ region: code });
    window.requestAnimationFrame(() => document.getElementById('units-heading')?.scrollIntoView({ block: 'start' }));
  }, []);

  return (
    <>
      <PageTitle title={service ? `${w.title}: ${service.name[lang]}` : w.title}>{w.title}</PageTitle>
      <Paragraph className="lead">{w.lead}</Paragraph>

      <section aria-labelledby="picker-heading" className="filters">
        <Heading level={2} data-size="xs" id="picker-heading">
          {w.pickerHeading}
        </Heading>
        {listsError && <Alert data-color="danger">{w.servicesError}</Alert>}
        {!services && !listsError && <Paragraph>{w.loadingServices}</Paragraph>}
        {services && (
          service ? (
            <p>
              {w.chosen}: <strong>{service.name[lang]}</strong>{' '}
              <Button variant="tertiary" data-size="sm" onClick={() => setQuery({ service: '', region: '' })}>
                {w.change}
              </Button>
            </p>
          ) : (
            <>
              {serviceId && <Alert data-color="warning">{w.unknownService}</Alert>}
              <ServicePicker services={services} onPick={pick} />
            </>
          )
        )}
      </section>

      {!serviceId && <Paragraph>{w.chooseFirst}</Paragraph>}
      {service && (
        <>
          <Heading level={2} data-size="md" id="service-heading" tabIndex={-1}>
            {service.name[lang]}
          </Heading>
          <ViewSwitch view={view} />
          {state === 'loading' && (
            <p role="status" className="results__status">
              <Spinner aria-hidden="true" data-size="sm" /> {w.loading}
            </p>
          )}
          {state === 'error' && (
            <Alert data-color="danger">
              {w.error}{' '}
              <Button variant="secondary" data-size="sm" onClick={() => setAttempt((n) => n + 1)}>
                {w.retry}
              </Button>
            </Alert>
          )}
          {state === 'ready' && answer && answer.serviceId === serviceId && (
            answer.items.length === 0 ? (
              <Alert data-color="info">{w.empty}</Alert>
            ) : (
              <Figures rows={answer.items} regions={regions ?? []} serviceName={service.name[lang]} regionCode={regionCode} onChooseRegion={chooseRegion} />
            )
          )}
        </>
      )}
    </>
  );
}

function ViewSwitch({ view }: { view: StatisticalView }) {
  const { t } = useI18n();
  const w = t.waitingTimes;
  const label = (v: StatisticalView) => (v === 'excluding_pvv_and_mov' ? w.viewExcludingPvvAndMov : w.viewExcludingPvv);
  return (
    <fieldset className="view-switch" aria-describedby="view-help" style={{ border: 0, padding: 0, margin: '0 0 1rem' }}>
      <legend style={{ fontWeight: 600 }}>{w.viewLegend}</legend>
      {STATISTICAL_VIEWS.map((v) => (
        <div key={v}>
          <input type="radio" id={`view-${v}`} name="view" value={v} checked={view === v} onChange={() => setQuery({ view: v === 'excluding_pvv_and_mov' ? '' : v })} />{' '}
          <label htmlFor={`view-${v}`}>{label(v)}</label>
        </div>
      ))}
      <p id="view-help" className="hint">
        {w.viewHelp}
      </p>
    </fieldset>
  );
}

interface FiguresProps { rows: WaitingTimeRow[]; regions: Region[]; serviceName: string; regionCode: string; onChooseRegion: (code: string) => void }

function Figures({ rows, regions, serviceName, regionCode, onChooseRegion }: FiguresProps) {
  const { t, formatNumber, formatDate } = useI18n();
  const w = t.waitingTimes;
  const national = rows.find((r) => r.level === 'national');
  const regionRows = useMemo(() => {
    const byCode = new Map(rows.filter((r) => r.level === 'region').map((r) => [r.regionCode!, r]));
    return [...regions].sort((a, b) => a.name.localeCompare(b.name, 'sv')).map((region) => ({ region, row: byCode.get(region.code) }));
  }, [rows, regions]);
  const newest = rows.reduce((d, r) => (r.dataAsOf > d ? r.dataAsOf : d), '');
  const asOf = newest ? w.asOf(formatDate(newest)) : '';
  const anyHidden = rows.some((r) => r.suppressed);
  const anyStale = rows.some((r) => r.stale);
  const mapValues = useMemo(
    () => regionRows.map(({ region, row }) => ({ iso3166_2: region.iso3166_2, code: region.code, name: region.name, value: row?.medianWaitedDays ?? null })),
    [regionRows],
  );
  const chartRows = useMemo(
    () => regionRows.flatMap(({ region, row }) => (row?.medianWaitedDays != null ? [{ name: region.name, median: row.medianWaitedDays, p90: row.p90WaitedDays }] : [])),
    [regionRows],
  );
  const chosen = regions.find((r) => r.code === regionCode);
  const num = (v: number | null) => (v === null ? <Missing suppressed={national?.suppressed ?? false} /> : formatNumber(v));
  const units = rows.filter((r) => r.level === 'unit' && r.regionCode === regionCode).sort((a, b) => (a.unitName ?? '').localeCompare(b.unitName ?? '', 'sv'));

  return (
    <>
      {national && (
        <section aria-labelledby="national-heading" data-testid="national">
          <Heading level={3} data-size="sm" id="national-heading">
            {w.nationalHeading(serviceName)}
          </Heading>
          <p className="hint">{w.asOf(formatDate(national.dataAsOf))}{national.stale && <> · <Stale /></>}</p>
          <dl className="key-figures" style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(12rem, 1fr))', gap: '1rem', margin: '0 0 1.5rem' }}>
            <KeyFigure label={w.medianLabel} help={w.medianHelp} value={num(national.medianWaitedDays)} />
            <KeyFigure label={w.p90Label} help={w.p90Help} value={num(national.p90WaitedDays)} />
            <KeyFigure
              label={w.withinLabel}
              help={w.withinHelp}
              value={national.shareWithinGuarantee === null ? <Missing suppressed={national.suppressed} /> : <Percent share={national.shareWithinGuarantee} />}
            />
            <KeyFigure label={w.forecastLabel} help={w.forecastHelp} value={num(national.forecastWaitDays)} />
            <KeyFigure label={w.waitingLabel} value={num(national.waitingCount)} />
          </dl>
        </section>
      )}

      <section aria-labelledby="regions-heading">
        <Heading level={3} data-size="sm" id="regions-heading">
          {w.regionsHeading}
        </Heading>
        <div className="map-layout">
          <figure className="map-figure" aria-labelledby="map-caption">
            <WaitMap
              values={mapValues}
              title={w.mapTitle(serviceName)}
              description={w.mapDescription}
              legend={w.mapLegend}
              missing="–"
              selectedRegion={regionCode}
              onSelectRegion={onChooseRegion}
            />
            <figcaption id="map-caption" className="map-caption">
              {w.mapTitle(serviceName)} · {asOf}. {w.mapDescription}
            </figcaption>
          </figure>
          <ScrollArea label={w.regionsCaption(asOf)}>
            <Table data-size="sm" zebra border data-testid="wait-region-table">
              <caption>{w.regionsCaption(asOf)}</caption>
              <Table.Head>
                <Table.Row>
                  <Table.HeaderCell scope="col">{w.colRegion}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.medianLabel}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.p90Label}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.withinLabel}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.forecastLabel}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.reportedLabel}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.waitingLabel}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.dataAsOfLabel}</Table.HeaderCell>
                </Table.Row>
              </Table.Head>
              <Table.Body>
                {regionRows.map(({ region, row }) => (
                  <Table.Row key={region.code} aria-current={region.code === regionCode ? 'true' : undefined}>
                    <Table.HeaderCell scope="row">
                      <button type="button" className="linklike" onClick={() => onChooseRegion(region.code)} aria-label={w.chooseRegion(region.name)}>
                        {region.name}
                      </button>
                    </Table.HeaderCell>
                    <FigureCells row={row} />
                  </Table.Row>
                ))}
              </Table.Body>
              {national && (
                <tfoot>
                  <Table.Row>
                    <Table.HeaderCell scope="row">{w.national}</Table.HeaderCell>
                    <FigureCells row={national} />
                  </Table.Row>
                </tfoot>
              )}
            </Table>
          </ScrollArea>
        </div>
      </section>

      {chartRows.length > 0 && (
        <section aria-labelledby="chart-heading">
          <Heading level={3} data-size="sm" id="chart-heading">
            {w.chartTitle}
          </Heading>
          <figure className="map-figure" aria-labelledby="chart-caption">
            <WaitChart rows={chartRows} title={`${w.chartTitle}: ${serviceName}`} description={w.chartDescription} guaranteeLabel={w.guaranteeLine} axisLabel={w.medianLabel} />
            <figcaption id="chart-caption" className="map-caption">
              {w.chartTitle} · {asOf}. {w.chartDescription}
            </figcaption>
          </figure>
          <Details>
            <Details.Summary>{w.chartTable}</Details.Summary>
            <Details.Content>
              <Table data-size="sm" zebra border>
                <caption>{w.chartTableCaption} · {asOf}</caption>
                <Table.Head>
                  <Table.Row>
                    <Table.HeaderCell scope="col">{w.colRegion}</Table.HeaderCell>
                    <Table.HeaderCell scope="col" className="num">{w.medianLabel}</Table.HeaderCell>
                    <Table.HeaderCell scope="col" className="num">{w.p90Label}</Table.HeaderCell>
                  </Table.Row>
                </Table.Head>
                <Table.Body>
                  {[...chartRows].sort((a, b) => b.median - a.median).map((r) => (
                    <Table.Row key={r.name}>
                      <Table.HeaderCell scope="row">{r.name}</Table.HeaderCell>
                      <Table.Cell className="num">{formatNumber(r.median)}</Table.Cell>
                      <Table.Cell className="num">{r.p90 === null ? <Hidden /> : formatNumber(r.p90)}</Table.Cell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </Details.Content>
          </Details>
        </section>
      )}

      <section aria-labelledby="units-heading">
        <Heading level={3} data-size="sm" id="units-heading" tabIndex={-1}>
          {chosen ? w.unitsHeading(chosen.name) : w.unitsHeading('…')}
        </Heading>
        <Field style={{ maxWidth: '24rem', marginBottom: '1rem' }}>
          <Label htmlFor="units-region">{w.unitsRegionLabel}</Label>
          <Select id="units-region" value={regionCode} onChange={(e) => setQuery({ region: e.target.value })}>
            <option value="">–</option>
            {regionRows.map(({ region }) => (
              <option key={region.code} value={region.code}>
                {region.name}
              </option>
            ))}
          </Select>
        </Field>
        {!chosen && <Paragraph>{w.unitsChoose}</Paragraph>}
        {chosen && units.length === 0 && <Paragraph>{w.unitsNone}</Paragraph>}
        {chosen && units.length > 0 && (
          <ScrollArea label={w.unitsCaption(chosen.name, asOf)}>
            <Table data-size="sm" zebra border data-testid="wait-unit-table">
              <caption>{w.unitsCaption(chosen.name, asOf)}</caption>
              <Table.Head>
                <Table.Row>
                  <Table.HeaderCell scope="col">{w.colUnit}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.medianLabel}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.p90Label}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.withinLabel}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.forecastLabel}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.reportedLabel}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{w.waitingLabel}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{w.dataAsOfLabel}</Table.HeaderCell>
                </Table.Row>
              </Table.Head>
              <Table.Body>
                {units.map((u) => (
                  <Table.Row key={u.unitHsaId}>
                    <Table.HeaderCell scope="row">
                      {u.unitName ?? u.unitHsaId}
                      {u.forecastWaitDays !== null && u.forecastWaitDays <= GUARANTEE_DAYS && (
                        <>
                          {' '}
                          <span className="tag-synthetic">{w.meetsGuarantee}</span>
                        </>
                      )}
                    </Table.HeaderCell>
                    <FigureCells row={u} />
                  </Table.Row>
                ))}
              </Table.Body>
            </Table>
          </ScrollArea>
        )}
      </section>

      <section aria-labelledby="explanations-heading" data-testid="explanations">
        <Heading level={3} data-size="sm" id="explanations-heading">
          {w.explanationsHeading}
        </Heading>
        <Heading level={4} data-size="xs" id={HIDDEN_ID} tabIndex={-1}>
          {w.hiddenHeading}
        </Heading>
        <Paragraph>{w.hiddenText}</Paragraph>
        <Heading level={4} data-size="xs" id={STALE_ID} tabIndex={-1}>
          {w.staleHeading}
        </Heading>
        <Paragraph>{w.staleText}</Paragraph>
        <Paragraph data-size="sm">{w.sourceText}</Paragraph>
        {/* for tests and readers: whether this answer has hidden or stale figures at all */}
        <span hidden data-hidden-figures={anyHidden} data-stale-figures={anyStale} />
      </section>
    </>
  );
}

function KeyFigure({ label, help, value }: { label: string; help?: string; value: ReactNode }) {
  return (
    <div style={{ padding: '0.75rem', border: '1px solid var(--ds-color-neutral-border-subtle)', borderRadius: 4 }}>
      <dt style={{ fontWeight: 600 }}>{label}</dt>
      <dd style={{ margin: 0, fontSize: '1.6em', fontVariantNumeric: 'tabular-nums' }}>{value}</dd>
      {help && <dd className="hint" style={{ margin: 0 }}>{help}</dd>}
    </div>
  );
}

/** A suppressed figure: "–" linking to why. */
function Hidden() {
  const { t } = useI18n();
  return (
    <a href={`#${HIDDEN_ID}`} aria-label={t.waitingTimes.hidden} title={t.waitingTimes.hidden} data-testid="hidden-figure">
      –
    </a>
  );
}
function Stale() {
  const { t } = useI18n();
  return (
    <a href={`#${STALE_ID}`} className="tag-synthetic" data-testid="stale-mark">
      {t.waitingTimes.stale}
    </a>
  );
}

/** A figure that is null: hidden when the row is suppressed (a link to why), otherwise simply missing. */
function Missing({ suppressed }: { suppressed: boolean }) {
  const { t } = useI18n();
  return suppressed ? <Hidden /> : <span title={t.waitingTimes.missing}>{t.waitingTimes.missingShort}</span>;
}
function Percent({ share: s }: { share: number }) {
  const { formatPercent } = useI18n();
  return <>{formatPercent(s)}</>;
}

/** The figure cells of a region, unit or national row; a missing row is all hidden. */
function FigureCells({ row }: { row: WaitingTimeRow | undefined }) {
  const { formatNumber, formatDate } = useI18n();
  const n = (v: number | null | undefined) => (v === null || v === undefined ? <Missing suppressed={row?.suppressed ?? false} /> : formatNumber(v));
  return (
    <>
      <Table.Cell className="num">{n(row?.medianWaitedDays)}</Table.Cell>
      <Table.Cell className="num">{n(row?.p90WaitedDays)}</Table.Cell>
      <Table.Cell className="num">{row?.shareWithinGuarantee == null ? <Missing suppressed={row?.suppressed ?? false} /> : <Percent share={row.shareWithinGuarantee} />}</Table.Cell>
      <Table.Cell className="num">{n(row?.forecastWaitDays)}</Table.Cell>
      <Table.Cell className="num">{n(row?.reportedExpectedWaitDays)}</Table.Cell>
      <Table.Cell className="num">{n(row?.waitingCount)}</Table.Cell>
      <Table.Cell>
        {row ? formatDate(row.dataAsOf) : '–'}
        {row?.stale && (
          <>
            {' '}
            <Stale />
          </>
        )}
      </Table.Cell>
    </>
  );
}
