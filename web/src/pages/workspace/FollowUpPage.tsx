import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Field, Heading, Label, Paragraph, Select, Spinner, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate, useLocation } from '../../router.js';
import { useSession } from '../../session.js';
import { isAbort, type Me } from '../../api.js';
import { PageTitle } from '../../components/PageTitle.js';
import { ScrollArea } from '../../components/ScrollArea.js';
import { LoadError, Loading, useFormatters } from '../../workspace/common.js';
import {
  followUp,
  isPeriodText,
  useMonthFormat,
  useValueFormat,
  type DataQuality,
  type DataQualityRegion,
  type Goal,
  type GoalResult,
  type IndicatorInfo,
  type Scorecard,
  type StatsPeriods,
  type TrendPoint,
} from '../../workspace/follow-up-api.js';
import { GoalEditor } from './GoalEditor.js';
import '../../workspace/workspace.css';
import '../../workspace/follow-up.css';

const FOLLOW_UP_ROLES = ['analyst', 'admin'];

export function canFollowUp(me: Me | null): boolean {
  return !!me?.authenticated && me.roles.some((r) => FOLLOW_UP_ROLES.includes(r));
}

/** Journey 5: the national coordination function's follow-up — scorecard, data quality and the goal editor. */
export function FollowUpPage() {
  return (
    <RequireFollowUpRole>
      <FollowUp />
    </RequireFollowUpRole>
  );
}

/** Only analysts and admins; anyone else gets one h1 that says why, and a way on (login or their own workspace). */
function RequireFollowUpRole({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const f = t.followUp;
  const { me } = useSession();
  if (!me) {
    return (
      <>
        <PageTitle title={f.title}>{f.title}</PageTitle>
        <p role="status">
          <Spinner aria-hidden="true" data-size="xs" /> {t.ws.loading}
        </p>
      </>
    );
  }
  if (canFollowUp(me)) return <>{children}</>;
  const hasWorkspace = me.authenticated && me.roles.some((r) => r === 'coordinator' || r === 'provider');
  return (
    <div data-testid="follow-up-no-access">
      <PageTitle title={f.noAccessTitle}>{f.noAccessTitle}</PageTitle>
      <Paragraph>{me.authenticated ? f.noAccessText : f.notLoggedIn}</Paragraph>
      <ul className="fu-links">
        <li>
          <Link href="/logga-in">{f.login}</Link>
        </li>
        {hasWorkspace && (
          <li>
            <Link href="/arbetsyta">{f.toWorkspace}</Link>
          </li>
        )}
      </ul>
    </div>
  );
}

function FollowUp() {
  const { t } = useI18n();
  const f = t.followUp;
  const month = useMonthFormat();
  const fmt = useFormatters();
  const { query } = useLocation();
  const asked = query.get('period');
  const period = isPeriodText(asked) ? asked : undefined;

  const [periods, setPeriods] = useState<StatsPeriods | null>(null);
  const [indicators, setIndicators] = useState<IndicatorInfo[]>([]);
  useEffect(() => {
    const ac = new AbortController();
    followUp.periods(ac.signal).then(setPeriods).catch((err: unknown) => !isAbort(err) && setPeriods({ items: [], latest: null }));
    followUp.indicators(ac.signal).then((r) => setIndicators(r.items)).catch(() => undefined);
    return () => ac.abort();
  }, []);

  const [scorecard, setScorecard] = useState<Scorecard | null>(null);
  const [scoreError, setScoreError] = useState<unknown>(null);
  const [quality, setQuality] = useState<DataQuality | null>(null);
  const [qualityError, setQualityError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const loadScorecard = useCallback(async (p: string | undefined, signal?: AbortSignal) => {
    try {
      setScorecard(await followUp.scorecard(p, signal));
      setScoreError(null);
    } catch (err) {
      if (!isAbort(err)) setScoreError(err);
    }
  }, []);
  useEffect(() => {
    const ac = new AbortController();
    setScorecard(null);
    setQuality(null);
    void loadScorecard(period, ac.signal);
    followUp
      .dataQuality(period, ac.signal)
      .then((q) => {
        setQuality(q);
        setQualityError(null);
      })
      .catch((err: unknown) => !isAbort(err) && setQualityError(err));
    return () => ac.abort();
  }, [period, attempt, loadScorecard]);

  const computed = periods?.items.find((p) => p.period === (scorecard?.period ?? period));
  const shown = scorecard?.period ?? period ?? periods?.latest ?? '';
  const options = useMemo(() => {
    const list = (periods?.items ?? []).map((p) => p.period);
    if (period && !list.includes(period)) list.unshift(period);
    return list;
  }, [periods, period]);
  const noStatistics = periods !== null && periods.items.length === 0 && !scorecard;

  return (
    <>
      <PageTitle title={f.title}>{f.title}</PageTitle>
      <Paragraph className="lead">{f.lead}</Paragraph>
      <nav aria-label={f.contents} className="fu-toc">
        <ul>
          <li>
            <a href="#fu-scorecard">{f.scorecardHeading}</a>
          </li>
          <li>
            <a href="#fu-quality">{f.dq.heading}</a>
          </li>
          <li>
            <a href="#fu-goals">{f.goals.heading}</a>
          </li>
        </ul>
      </nav>
      <div className="filters">
        <Field>
          <Label htmlFor="fu-period">{f.period}</Label>
          <Select
            id="fu-period"
            value={shown}
            aria-describedby="fu-period-hint"
            disabled={options.length === 0}
            onChange={(e) => navigate(`${window.location.pathname}?period=${encodeURIComponent(e.target.value)}`, { replace: true })}
          >
            {options.length === 0 && <option value="">{shown ? month.long(shown) : '–'}</option>}
            {options.map((p) => (
              <option key={p} value={p}>
                {month.long(p)}
              </option>
            ))}
          </Select>
        </Field>
        <p className="hint" id="fu-period-hint">
          {f.periodHint}
        </p>
      </div>
      {noStatistics && scoreError ? <Paragraph data-testid="fu-no-statistics">{f.noPeriods}</Paragraph> : null}

      <section aria-labelledby="fu-scorecard" className="section">
        <Heading level={2} data-size="sm" id="fu-scorecard" tabIndex={-1}>
          {f.scorecardHeading}
        </Heading>
        {scorecard && (
          <p className="fu-meta">
            {f.asOf(month.long(scorecard.period), String(scorecard.revision), computed ? fmt.dateTime(computed.computedAt) : '–')}
            {scorecard.synthetic && (
              <>
                {' '}
                <span className="tag-synthetic">{f.synthetic}</span>
              </>
            )}
          </p>
        )}
        {scoreError && !noStatistics ? <LoadError error={scoreError} onRetry={() => setAttempt((a) => a + 1)} /> : null}
        {!scorecard && !scoreError && <Loading />}
        {scorecard && <ScorecardTable scorecard={scorecard} indicators={indicators} />}
      </section>

      <section aria-labelledby="fu-quality" className="section">
        <Heading level={2} data-size="sm" id="fu-quality" tabIndex={-1}>
          {f.dq.heading}
        </Heading>
        <Paragraph className="lead">{f.dq.lead}</Paragraph>
        {qualityError && !noStatistics ? <LoadError error={qualityError} onRetry={() => setAttempt((a) => a + 1)} /> : null}
        {!quality && !qualityError && <Loading />}
        {quality && <DataQualityTable quality={quality} />}
      </section>

      <section aria-labelledby="fu-goals" className="section">
        <Heading level={2} data-size="sm" id="fu-goals" tabIndex={-1}>
          {f.goals.heading}
        </Heading>
        <Paragraph className="lead">{f.goals.lead}</Paragraph>
        <GoalEditor indicators={indicators} onSaved={() => void loadScorecard(period)} />
      </section>
    </>
  );
}

/** Regions × goals; every cell says met / not met / not assessed in words and an icon as well as a colour. */
function ScorecardTable({ scorecard, indicators }: { scorecard: Scorecard; indicators: IndicatorInfo[] }) {
  const { t, lang, formatNumber } = useI18n();
  const f = t.followUp;
  const month = useMonthFormat();
  const value = useValueFormat();
  const unitOf = useMemo(() => new Map(indicators.map((i) => [i.id, i.unit])), [indicators]);
  const goals = scorecard.goals;
  const rows: { key: string; name: string; national: boolean; results: GoalResult[] }[] = [
    { key: 'national', name: f.national, national: true, results: scorecard.national.results },
    ...scorecard.regions.map((r) => ({ key: r.regionCode, name: r.regionName, national: false, results: r.results })),
  ];
  const regionResults = scorecard.regions.flatMap((r) => r.results);
  const assessed = regionResults.filter((r) => r.status !== 'not_assessed').length;
  const met = regionResults.filter((r) => r.status === 'met').length;
  const periodText = month.long(scorecard.period);
  if (goals.length === 0) return <Paragraph>{f.noGoalsInScorecard}</Paragraph>;
  return (
    <>
      <Paragraph className="ws-summary" data-testid="fu-summary">
        {assessed > 0 ? f.summary(periodText, formatNumber(met), formatNumber(assessed)) : f.summaryNone(periodText)}
      </Paragraph>
      <ul className="fu-legend" aria-label={f.legendLabel}>
        {(['met', 'not_met', 'not_assessed'] as const).map((s) => (
          <li key={s}>
            <span className={`fu-cell fu-cell--${s}`}>
              <StatusWord status={s} />
            </span>
          </li>
        ))}
      </ul>
      <p className="hint">{f.notAssessedWhy}</p>
      <ScrollArea label={f.scorecardCaption(periodText)}>
        <Table border data-size="sm" className="fu-scorecard" data-testid="fu-scorecard">
          <caption>{f.scorecardCaption(periodText)}</caption>
          <Table.Head>
            <Table.Row>
              <Table.HeaderCell scope="col">{f.colRegion}</Table.HeaderCell>
              {goals.map((g) => (
                <Table.HeaderCell scope="col" key={g.id} data-goal-id={g.id}>
                  {g.title[lang]}
                  <span className="fu-goal-target" data-testid={`fu-target-${g.id}`}>
                    {f.targetText(f.comparators[g.comparator] ?? g.comparator, value(unitOf.get(g.indicatorId) ?? guessUnit(g), g.target))}
                  </span>
                </Table.HeaderCell>
              ))}
            </Table.Row>
          </Table.Head>
          <Table.Body>
            {rows.map((row) => (
              <Table.Row key={row.key} className={row.national ? 'fu-row-national' : undefined} data-region={row.key}>
                <Table.HeaderCell scope="row">{row.name}</Table.HeaderCell>
                {goals.map((g) => {
                  const r = row.results.find((x) => x.goalId === g.id);
                  return (
                    <Table.Cell key={g.id}>
                      <ResultCell goal={g} result={r} unit={unitOf.get(g.indicatorId) ?? guessUnit(g)} />
                    </Table.Cell>
                  );
                })}
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </ScrollArea>
    </>
  );
}

/** Before the indicator list has arrived: a target between 0 and 1 on a share-like goal reads as a share. */
function guessUnit(g: Goal): string {
  return /share|rate/.test(g.indicatorId) ? 'share' : /on_time/.test(g.indicatorId) ? 'flag' : '';
}

function StatusWord({ status }: { status: string }) {
  const { t } = useI18n();
  const icon = status === 'met' ? '✓' : status === 'not_met' ? '✕' : '–';
  return (
    <span className="fu-status">
      <span className="fu-icon" aria-hidden="true">
        {icon}
      </span>
      {t.followUp.status[status] ?? status}
    </span>
  );
}

function ResultCell({ goal, result, unit }: { goal: Goal; result: GoalResult | undefined; unit: string }) {
  const { t } = useI18n();
  const f = t.followUp;
  const value = useValueFormat();
  if (!result) {
    return (
      <span className="fu-na" data-testid="fu-cell-na" data-goal-id={goal.id} title={f.notApplicableWhy}>
        {f.notApplicable}
        <span className="fu-sr-only"> ({f.notApplicableWhy})</span>
      </span>
    );
  }
  const status = result.status;
  return (
    <div className={`fu-cell fu-cell--${status}`} data-testid="fu-cell" data-goal-id={goal.id} data-status={status}>
      <StatusWord status={status} />
      {(result.value !== null || !result.detail?.length) && <span className="fu-value">{value(unit, result.value)}</span>}
      {result.detail && result.detail.length > 0 && (
        <ul className="fu-detail">
          {result.detail.map((d) => (
            <li key={d.guaranteeKind}>
              {f.kindShort[d.guaranteeKind] ?? d.guaranteeKind}: {value(unit, d.value)}
            </li>
          ))}
        </ul>
      )}
      {result.trend.length > 1 && <Trend points={result.trend} unit={unit} />}
    </div>
  );
}

/** A sparkline of the last periods (decoration) with the same figures as text for screen readers, and an arrow. */
function Trend({ points, unit }: { points: TrendPoint[]; unit: string }) {
  const { t } = useI18n();
  const month = useMonthFormat();
  const value = useValueFormat();
  const known = points.filter((p): p is TrendPoint & { value: number } => p.value !== null);
  const text = t.followUp.trendText(points.map((p) => `${month.short(p.period)} ${value(unit, p.value)}`).join(', '));
  const W = 64;
  const H = 20;
  const min = Math.min(...known.map((p) => p.value));
  const max = Math.max(...known.map((p) => p.value));
  const x = (i: number) => (points.length === 1 ? W / 2 : (i * W) / (points.length - 1));
  const y = (v: number) => (max === min ? H / 2 : H - 2 - ((v - min) / (max - min)) * (H - 4));
  const segments: string[] = [];
  let current: string[] = [];
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current.length) segments.push(current.join(' '));
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
  });
  if (current.length) segments.push(current.join(' '));
  const first = known[0];
  const last = known[known.length - 1];
  const arrow = !first || !last || known.length < 2 ? '' : last.value > first.value ? '↗' : last.value < first.value ? '↘' : '→';
  return (
    <span className="fu-trend">
      {known.length > 0 && (
        <svg className="fu-spark" width={W} height={H} viewBox={`0 0 ${W} ${H}`} aria-hidden="true" focusable="false">
          {segments.map((s, i) => (
            <polyline key={i} points={s} fill="none" stroke="currentColor" strokeWidth="1.5" />
          ))}
          {points.map((p, i) =>
            p.value === null ? null : <circle key={i} cx={x(i)} cy={y(p.value)} r={i === points.length - 1 ? 2.5 : 1.5} fill="currentColor" />,
          )}
        </svg>
      )}
      {arrow && <span aria-hidden="true">{arrow}</span>}
      <span className="fu-sr-only">{text}</span>
    </span>
  );
}

/** Per region: waiting-list submissions (late, missing, rejected, row errors), stale capacity reports, connected systems. */
function DataQualityTable({ quality }: { quality: DataQuality }) {
  const { t, formatNumber } = useI18n();
  const d = t.followUp.dq;
  const month = useMonthFormat();
  const fmt = useFormatters();
  const pct = useValueFormat();
  const periodText = month.long(quality.period);
  if (quality.regions.length === 0) return <Paragraph>{d.empty}</Paragraph>;
  const needsWork = (r: DataQualityRegion) => !r.waitingListOnTime || r.rejectedSubmissions > 0 || r.rowErrors > 0 || r.staleUnits.length > 0;
  return (
    <>
      <Paragraph className="ws-summary" data-testid="fu-dq-summary">
        {d.summary(formatNumber(quality.regions.filter(needsWork).length), formatNumber(quality.regions.length))}
      </Paragraph>
      <ScrollArea label={d.caption(periodText)}>
        <Table border data-size="sm" className="fu-scorecard" data-testid="fu-data-quality">
          <caption>{d.caption(periodText)}</caption>
          <Table.Head>
            <Table.Row>
              <Table.HeaderCell scope="col">{t.followUp.colRegion}</Table.HeaderCell>
              <Table.HeaderCell scope="col">{d.colOnTime}</Table.HeaderCell>
              <Table.HeaderCell scope="col">{d.colSubmissions}</Table.HeaderCell>
              <Table.HeaderCell scope="col" className="num">
                {d.colRowErrors}
              </Table.HeaderCell>
              <Table.HeaderCell scope="col">{d.colCapacity}</Table.HeaderCell>
              <Table.HeaderCell scope="col">{d.colStale}</Table.HeaderCell>
              <Table.HeaderCell scope="col" className="num">
                {d.colSystems}
              </Table.HeaderCell>
            </Table.Row>
          </Table.Head>
          <Table.Body>
            {quality.regions.map((r) => (
              <Table.Row key={r.regionCode} data-region={r.regionCode}>
                <Table.HeaderCell scope="row">{r.regionName}</Table.HeaderCell>
                <Table.Cell>
                  <Flag ok={r.waitingListOnTime}>
                    {r.waitingListOnTime ? d.onTime(r.firstSubmissionOn ? fmt.date(r.firstSubmissionOn) : '–') : r.firstSubmissionOn ? d.late(fmt.date(r.firstSubmissionOn)) : d.missing}
                  </Flag>
                </Table.Cell>
                <Table.Cell>
                  <Flag ok={r.rejectedSubmissions === 0}>{d.submissions(formatNumber(r.appliedSubmissions), formatNumber(r.rejectedSubmissions))}</Flag>
                </Table.Cell>
                <Table.Cell className="num">{formatNumber(r.rowErrors)}</Table.Cell>
                <Table.Cell>
                  <Flag ok={r.staleUnits.length === 0}>
                    {d.capacity(formatNumber(r.unitsWithFreshCapacityReport), formatNumber(r.unitsExpectedToReport), pct('share', r.freshCapacityShare))}
                  </Flag>
                </Table.Cell>
                <Table.Cell>
                  {r.staleUnits.length === 0 ? (
                    d.noStale
                  ) : (
                    <details className="fu-stale">
                      <summary>{d.staleCount(formatNumber(r.staleUnits.length), r.staleUnits.length === 1)}</summary>
                      <ul>
                        {r.staleUnits.map((u) => (
                          <li key={u.unitHsaId}>
                            {u.unitName} ({u.lastValidFrom ? d.lastReport(fmt.date(u.lastValidFrom)) : d.never})
                          </li>
                        ))}
                      </ul>
                    </details>
                  )}
                </Table.Cell>
                <Table.Cell className="num">{formatNumber(r.connectedSystems)}</Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </ScrollArea>
    </>
  );
}

/** A figure with a mark that repeats what the colour says: ✓ fine, ! something to fix. */
function Flag({ ok, children }: { ok: boolean; children: ReactNode }) {
  return (
    <span className={`fu-flag fu-flag--${ok ? 'ok' : 'bad'}`} data-ok={ok}>
      <span aria-hidden="true">{ok ? '✓' : '!'}</span>
      {children}
    </span>
  );
}
