import { useEffect, useMemo, useRef, useState } from 'react';
import * as Plot from '@observablehq/plot';
import { Field, Heading, Label, Paragraph, Select, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { navigate, useLocation } from '../../router.js';
import { isAbort } from '../../api.js';
import { PageTitle } from '../../components/PageTitle.js';
import { ScrollArea } from '../../components/ScrollArea.js';
import { LoadError, Loading, RequireRole, WorkspaceNav, swedishToday } from '../../workspace/common.js';
import { followUp, isPeriodText, useMonthFormat, type ProviderStats, type ResponseFigures } from '../../workspace/follow-up-api.js';
import '../../workspace/workspace.css';
import '../../workspace/follow-up.css';

/** Journey 4: the provider's "Statistik" — its units' response times and acceptance against the national figures. */
export function ProviderStatisticsPage() {
  const { t } = useI18n();
  return (
    <RequireRole roles={['provider']} title={t.providerStats.title}>
      <ProviderStatistics />
    </RequireRole>
  );
}

/** The last twelve months up to this one, newest first (the figures are counted live from the requests). */
function recentPeriods(): string[] {
  const today = swedishToday();
  let y = Number(today.slice(0, 4));
  let m = Number(today.slice(5, 7));
  const out: string[] = [];
  for (let i = 0; i < 12; i++) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
  }
  return out;
}

function ProviderStatistics() {
  const { t, locale, formatNumber } = useI18n();
  const s = t.providerStats;
  const month = useMonthFormat();
  const { query } = useLocation();
  const asked = query.get('period');
  const period = isPeriodText(asked) ? asked : undefined;
  const periods = useMemo(() => {
    const list = recentPeriods();
    if (period && !list.includes(period)) list.unshift(period);
    return list;
  }, [period]);

  const [stats, setStats] = useState<ProviderStats | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setStats(null);
    setError(null);
    followUp
      .provider(period, ac.signal)
      .then(setStats)
      .catch((err: unknown) => !isAbort(err) && setError(err));
    return () => ac.abort();
  }, [period, attempt]);

  const pct = useMemo(() => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }), [locale]);
  const one = useMemo(() => new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }), [locale]);
  const share = (v: number | null) => (v === null ? s.notApplicable : pct.format(v));
  const hours = (v: number | null) => (v === null ? s.notApplicable : s.hours(one.format(v)));
  const shown = stats?.period ?? period ?? periods[0] ?? '';
  const periodText = shown ? month.long(shown) : '';

  return (
    <>
      <PageTitle title={s.title}>{s.title}</PageTitle>
      <WorkspaceNav current="none" />
      <Paragraph className="lead">{s.lead}</Paragraph>
      <div className="filters">
        <Field>
          <Label htmlFor="ps-period">{s.period}</Label>
          <Select
            id="ps-period"
            value={shown}
            aria-describedby="ps-period-hint"
            onChange={(e) => navigate(`${window.location.pathname}?period=${encodeURIComponent(e.target.value)}`, { replace: true })}
          >
            {periods.map((p) => (
              <option key={p} value={p}>
                {month.long(p)}
              </option>
            ))}
          </Select>
        </Field>
        <p className="hint" id="ps-period-hint">
          {s.periodHint}
        </p>
      </div>
      {error ? <LoadError error={error} onRetry={() => setAttempt((a) => a + 1)} /> : null}
      {!stats && !error && <Loading />}
      {stats && (
        <>
          <Paragraph className="ws-summary" data-testid="ps-summary">
            {stats.organization.requestsReceivedCount === 0
              ? s.summaryNone(periodText)
              : s.summary(periodText, share(stats.organization.answeredInTimeShare), share(stats.national.answeredInTimeShare), share(stats.organization.acceptanceRate), share(stats.national.acceptanceRate))}
          </Paragraph>
          {stats.synthetic && <p className="fu-meta"><span className="tag-synthetic">{s.synthetic}</span></p>}
          {stats.units.length === 0 ? (
            <Paragraph>{s.noUnits}</Paragraph>
          ) : (
            <section aria-labelledby="ps-table" className="section">
              <Heading level={2} data-size="sm" id="ps-table">
                {s.caption(periodText)}
              </Heading>
              <ScrollArea label={s.caption(periodText)}>
                <Table border data-size="sm" data-testid="ps-table">
                  <caption className="fu-sr-only">{s.caption(periodText)}</caption>
                  <Table.Head>
                    <Table.Row>
                      <Table.HeaderCell scope="col">{s.colUnit}</Table.HeaderCell>
                      <Table.HeaderCell scope="col" className="num">
                        {s.colReceived}
                      </Table.HeaderCell>
                      <Table.HeaderCell scope="col" className="num">
                        {s.colInTime}
                      </Table.HeaderCell>
                      <Table.HeaderCell scope="col" className="num">
                        {s.colAcceptance}
                      </Table.HeaderCell>
                      <Table.HeaderCell scope="col" className="num">
                        {s.colMedian}
                      </Table.HeaderCell>
                    </Table.Row>
                  </Table.Head>
                  <Table.Body>
                    {stats.units.map((u) => (
                      <FiguresRow key={u.unitHsaId} name={u.unitName} figures={u} share={share} hours={hours} testId={u.unitHsaId} />
                    ))}
                    <FiguresRow name={s.allUnits} figures={stats.organization} share={share} hours={hours} className="fu-row-own" testId="organization" />
                    <Table.Row className="fu-row-own" data-row="national">
                      <Table.HeaderCell scope="row">{s.national}</Table.HeaderCell>
                      <Table.Cell className="num">{s.notApplicable}</Table.Cell>
                      <Table.Cell className="num">{share(stats.national.answeredInTimeShare)}</Table.Cell>
                      <Table.Cell className="num">{share(stats.national.acceptanceRate)}</Table.Cell>
                      <Table.Cell className="num">{hours(stats.national.medianResponseHours)}</Table.Cell>
                    </Table.Row>
                  </Table.Body>
                </Table>
              </ScrollArea>
              <p className="hint">{s.notApplicableWhy}</p>
            </section>
          )}
          <section aria-labelledby="ps-chart" className="section">
            <Heading level={2} data-size="sm" id="ps-chart">
              {s.chartHeading}
            </Heading>
            <CompareChart stats={stats} title={s.chartTitle(periodText)} formatNumber={formatNumber} />
          </section>
        </>
      )}
    </>
  );
}

function FiguresRow(props: { name: string; figures: ResponseFigures; share: (v: number | null) => string; hours: (v: number | null) => string; className?: string; testId: string }) {
  const { t, formatNumber } = useI18n();
  const { name, figures: f, share, hours, className, testId } = props;
  return (
    <Table.Row className={className} data-row={testId}>
      <Table.HeaderCell scope="row">{name}</Table.HeaderCell>
      <Table.Cell className="num">{formatNumber(f.requestsReceivedCount)}</Table.Cell>
      <Table.Cell className="num">{t.providerStats.countShare(formatNumber(f.answeredInTimeCount), share(f.answeredInTimeShare))}</Table.Cell>
      <Table.Cell className="num">{share(f.acceptanceRate)}</Table.Cell>
      <Table.Cell className="num">{hours(f.medianResponseHours)}</Table.Cell>
    </Table.Row>
  );
}

interface Bar {
  measure: string;
  series: string;
  value: number;
}

/** Two measures, own units next to the whole country; the table above holds the same figures (and the summary says them). */
function CompareChart({ stats, title, formatNumber }: { stats: ProviderStats; title: string; formatNumber: (n: number) => string }) {
  const { t } = useI18n();
  const s = t.providerStats;
  const ref = useRef<HTMLDivElement>(null);
  const bars = useMemo(() => {
    const out: Bar[] = [];
    const add = (measure: string, own: number | null, national: number | null) => {
      if (own !== null) out.push({ measure, series: s.seriesOwn, value: Math.round(own * 100) });
      if (national !== null) out.push({ measure, series: s.seriesNational, value: Math.round(national * 100) });
    };
    add(s.measureInTime, stats.organization.answeredInTimeShare, stats.national.answeredInTimeShare);
    add(s.measureAcceptance, stats.organization.acceptanceRate, stats.national.acceptanceRate);
    return out;
  }, [stats, s]);
  useEffect(() => {
    const host = ref.current;
    if (!host || bars.length === 0) return;
    const width = Math.max(300, Math.min(host.clientWidth || 640, 720));
    const measures = [s.measureInTime, s.measureAcceptance];
    const chart = Plot.plot({
      width,
      height: 80 + 44 * bars.length,
      marginTop: 28,
      marginLeft: Math.min(130, width * 0.35),
      marginRight: 48,
      x: { label: s.axis, domain: [0, 100], grid: true, tickFormat: (d: number) => `${formatNumber(d)} %` },
      y: { label: null, domain: [s.seriesOwn, s.seriesNational] },
      // The measure's name above each pair of bars (the default facet axis on the right is cut off on narrow screens).
      fy: { label: null, axis: null, domain: measures, padding: 0.45 },
      color: { domain: [s.seriesOwn, s.seriesNational], range: ['#1f5fa6', '#5f6b77'] },
      style: { fontSize: '13px', color: '#1e2b3c', background: 'transparent' },
      ariaLabel: title,
      marks: [
        Plot.barX(bars, { x: 'value', y: 'series', fy: 'measure', fill: 'series', title: (b: Bar) => `${b.measure}, ${b.series}: ${formatNumber(b.value)} %` }),
        Plot.text(bars, { x: 'value', y: 'series', fy: 'measure', text: (b: Bar) => `${formatNumber(b.value)} %`, textAnchor: 'start', dx: 4, fill: '#1e2b3c', ariaHidden: 'true' }),
        Plot.text(measures, { fy: (d: string) => d, text: (d: string) => d, frameAnchor: 'top-left', dy: -18, fontWeight: 'bold', fill: '#1e2b3c', ariaHidden: 'true' }),
        Plot.ruleX([0], { ariaHidden: 'true' }),
      ],
    });
    host.replaceChildren(chart);
    return () => chart.remove();
  }, [bars, title, s, formatNumber]);
  if (bars.length === 0) return null;
  return (
    <figure className="section" aria-label={title}>
      <div ref={ref} className="chart-host" data-testid="ps-chart" />
      <figcaption className="hint">{title}</figcaption>
    </figure>
  );
}
