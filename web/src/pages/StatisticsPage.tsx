import { useCallback, useEffect, useState } from 'react';
import { Alert, Field, Heading, Label, Paragraph, Select } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { Link, navigate, useLocation } from '../router.js';
import { api, isAbort, type Region } from '../api.js';
import { PageTitle } from '../components/PageTitle.js';
import { AnswerStatus, HIDDEN_ID, REVISED_ID } from '../components/stats/common.js';
import { Headline } from '../components/stats/Headline.js';
import { ComplianceSection } from '../components/stats/ComplianceSection.js';
import { RegionsSection } from '../components/stats/RegionsSection.js';
import { BrokeringSection } from '../components/stats/BrokeringSection.js';
import { COMPLIANCE_INDICATOR, statsApi } from '../components/stats/api.js';
import { formatPeriod } from '../components/stats/format.js';
import { useAnswer } from '../components/stats/useAnswer.js';
import { STAT_KINDS, type PeriodsAnswer, type StatKind, type StatisticalView } from '../components/stats/types.js';
import './statistics.css';

const VIEWS: readonly StatisticalView[] = ['excluding_pvv_and_mov', 'excluding_pvv'];
const DEFAULT_VIEW: StatisticalView = 'excluding_pvv_and_mov';
const DEFAULT_KIND: StatKind = 'specialist_first_visit';

/** The query string is the page's state (?region=…&period=…&view=…&kind=…&first=1): shareable, survives reload. */
function setQuery(patch: Record<string, string>) {
  const p = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v) p.set(k, v);
    else p.delete(k);
  }
  const s = p.toString();
  navigate(`${window.location.pathname}${s ? `?${s}` : ''}`, { replace: true });
}

/** "Statistik" (issue 5): the care guarantee and brokering, nationally and per region, month by month. */
export function StatisticsPage() {
  const { t, lang, locale } = useI18n();
  const s = t.stats;
  const { query } = useLocation();
  const view: StatisticalView = (VIEWS as readonly string[]).includes(query.get('view') ?? '') ? (query.get('view') as StatisticalView) : DEFAULT_VIEW;
  const kind: StatKind = (STAT_KINDS as readonly string[]).includes(query.get('kind') ?? '') ? (query.get('kind') as StatKind) : DEFAULT_KIND;
  const periodParam = /^\d{4}-\d{2}$/.test(query.get('period') ?? '') ? query.get('period')! : '';
  const showFirst = query.get('first') === '1';

  const [regions, setRegions] = useState<Region[] | null>(null);
  const [periods, setPeriods] = useState<PeriodsAnswer | null>(null);
  const [listsState, setListsState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [listsAttempt, setListsAttempt] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setListsState('loading');
    Promise.all([api.regions(undefined, ac.signal), statsApi.periods(ac.signal)])
      .then(([r, p]) => {
        setRegions(r.items);
        setPeriods(p);
        setListsState('ready');
      })
      .catch((err: unknown) => !isAbort(err) && setListsState('error'));
    return () => ac.abort();
  }, [listsAttempt]);

  const regionParam = query.get('region') ?? '';
  const region = regions?.find((r) => r.code === regionParam);
  const regionCode = region?.code ?? '';
  const ready = listsState === 'ready' && periods !== null && periods.latest !== null;
  const period = periodParam || periods?.latest || '';
  const periodLabel = period ? formatPeriod(period, locale) : '';
  const place = region ? region.name : s.national;
  const placeIn = region ? region.name : s.nationalIn;
  const kindName = s.kinds[kind] ?? kind;

  const q = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));
  const overview = useAnswer(ready ? `o|${regionCode}|${periodParam}|${view}` : null, (signal) => statsApi.overview(q({ region: regionCode, period: periodParam, view }), signal));
  const brokering = useAnswer(ready ? `b|${regionCode}|${periodParam}` : null, (signal) => statsApi.brokering(q({ region: regionCode, period: periodParam }), signal));
  const series = useAnswer(ready ? `s|${regionCode}|${periodParam}|${view}|${kind}` : null, (signal) =>
    statsApi.series({ indicator: COMPLIANCE_INDICATOR, ...q({ region: regionCode, view, guaranteeKind: kind, to: periodParam }) }, signal),
  );
  const regionAnswer = useAnswer(ready ? `r|${periodParam}|${view}|${kind}` : null, (signal) =>
    statsApi.regions({ indicator: COMPLIANCE_INDICATOR, ...q({ period: periodParam, view, guaranteeKind: kind }) }, signal),
  );
  const synthetic = overview.data?.synthetic ?? brokering.data?.synthetic ?? false;

  const chooseRegion = useCallback((code: string) => {
    setQuery({ region: code });
    window.requestAnimationFrame(() => {
      const h = document.getElementById('headline-heading');
      h?.scrollIntoView({ block: 'start' });
      h?.focus({ preventScroll: true });
    });
  }, []);

  return (
    <>
      <PageTitle title={region ? `${s.title}: ${region.name}` : s.title}>{s.title}</PageTitle>
      <Paragraph className="lead">{s.lead}</Paragraph>

      <section aria-labelledby="stat-filters-heading" className="filters stat-filters" data-testid="stat-filters">
        <Heading level={2} data-size="xs" id="stat-filters-heading">
          {s.filtersHeading}
        </Heading>
        <div className="filters__grid">
          <Field>
            <Label htmlFor="stat-region">{s.region}</Label>
            <Select id="stat-region" value={regionCode} onChange={(e) => setQuery({ region: e.target.value })} disabled={!regions}>
              <option value="">{s.national}</option>
              {[...(regions ?? [])]
                .sort((a, b) => a.name.localeCompare(b.name, 'sv'))
                .map((r) => (
                  <option key={r.code} value={r.code}>
                    {r.name}
                  </option>
                ))}
            </Select>
          </Field>
          <Field>
            <Label htmlFor="stat-period">{s.period}</Label>
            <Select id="stat-period" value={periodParam} onChange={(e) => setQuery({ period: e.target.value })} disabled={!periods?.latest}>
              <option value="">{periods?.latest ? s.periodLatest(formatPeriod(periods.latest, locale)) : '–'}</option>
              {(periods?.items ?? []).map((p) => (
                <option key={p.period} value={p.period}>
                  {formatPeriod(p.period, locale)}
                </option>
              ))}
              {periodParam && !periods?.items.some((p) => p.period === periodParam) && <option value={periodParam}>{formatPeriod(periodParam, locale)}</option>}
            </Select>
          </Field>
          <Field>
            <Label htmlFor="stat-kind">{s.kind}</Label>
            <Select id="stat-kind" value={kind} onChange={(e) => setQuery({ kind: e.target.value === DEFAULT_KIND ? '' : e.target.value })}>
              {STAT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {s.kinds[k]}
                </option>
              ))}
            </Select>
          </Field>
          <Field>
            <Label htmlFor="stat-view">{s.view}</Label>
            <Select id="stat-view" value={view} onChange={(e) => setQuery({ view: e.target.value === DEFAULT_VIEW ? '' : e.target.value })} aria-describedby="stat-view-help">
              <option value="excluding_pvv_and_mov">{s.viewExcludingPvvAndMov}</option>
              <option value="excluding_pvv">{s.viewExcludingPvv}</option>
            </Select>
          </Field>
        </div>
        <p id="stat-view-help" className="hint">
          {s.viewHelp}
        </p>
        <p className="hint">{s.shareHint}</p>
      </section>

      {listsState === 'loading' && <AnswerStatus state="loading" onRetry={() => setListsAttempt((n) => n + 1)} />}
      {listsState === 'error' && <AnswerStatus state="error" onRetry={() => setListsAttempt((n) => n + 1)} />}
      {listsState === 'ready' && periods?.latest === null && <Alert data-color="info">{s.emptyAll}</Alert>}

      {ready && (
        <>
          {synthetic && (
            <Alert data-color="warning" className="stat-synthetic-note" data-testid="synthetic-note">
              {s.syntheticText}
            </Alert>
          )}
          {overview.state === 'ready' && overview.data ? (
            <Headline overview={overview.data} place={place} placeIn={placeIn} periodLabel={formatPeriod(overview.data.period, locale)} />
          ) : (
            <section aria-labelledby="headline-heading" className="stat-section">
              <Heading level={2} data-size="md" id="headline-heading" tabIndex={-1}>
                {s.headlineHeading(place, periodLabel)}
              </Heading>
              <AnswerStatus state={overview.state} onRetry={overview.retry} />
            </section>
          )}

          {series.state === 'ready' && series.data ? (
            <ComplianceSection
              series={series.data}
              kindName={kindName}
              place={place}
              placeIn={placeIn}
              showFirst={showFirst}
              onShowFirst={(on) => setQuery({ first: on ? '1' : '' })}
              synthetic={synthetic}
            />
          ) : (
            <section aria-labelledby="compliance-heading" className="stat-section">
              <Heading level={2} data-size="md" id="compliance-heading">
                {s.complianceHeading}
              </Heading>
              <AnswerStatus state={series.state} onRetry={series.retry} />
            </section>
          )}

          {regionAnswer.state === 'ready' && regionAnswer.data && regions ? (
            <RegionsSection
              answer={regionAnswer.data}
              regions={regions}
              kindName={kindName}
              periodLabel={formatPeriod(regionAnswer.data.period, locale)}
              selected={regionCode}
              onChooseRegion={chooseRegion}
              synthetic={synthetic}
            />
          ) : (
            <section aria-labelledby="regions-heading" className="stat-section">
              <Heading level={2} data-size="md" id="regions-heading">
                {s.regionsHeading}
              </Heading>
              <AnswerStatus state={regionAnswer.state} onRetry={regionAnswer.retry} />
            </section>
          )}

          {brokering.state === 'ready' && brokering.data ? (
            <BrokeringSection answer={brokering.data} place={place} placeIn={placeIn} periodLabel={formatPeriod(brokering.data.period, locale)} regional={regionCode !== ''} />
          ) : (
            <section aria-labelledby="brokering-heading" className="stat-section">
              <Heading level={2} data-size="md" id="brokering-heading">
                {s.brokeringHeading}
              </Heading>
              <AnswerStatus state={brokering.state} onRetry={brokering.retry} />
            </section>
          )}
        </>
      )}

      <section aria-labelledby="stat-explanations-heading" className="stat-section" data-testid="stat-explanations">
        <Heading level={2} data-size="sm" id="stat-explanations-heading">
          {s.explanationsHeading}
        </Heading>
        <Heading level={3} data-size="xs" id={HIDDEN_ID} tabIndex={-1}>
          {s.hiddenHeading}
        </Heading>
        <Paragraph>{s.hiddenText}</Paragraph>
        <Heading level={3} data-size="xs" id={REVISED_ID} tabIndex={-1}>
          {s.revisedHeading}
        </Heading>
        <Paragraph>{s.revisedText}</Paragraph>
        <Paragraph data-size="sm">{s.sourceText}</Paragraph>
        <p>
          <Link href={lang === 'sv' ? '/oppen-data' : '/open-data'}>{s.allOpenData}</Link>
        </p>
      </section>
    </>
  );
}
