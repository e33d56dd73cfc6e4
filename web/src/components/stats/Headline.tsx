import { Details, Heading, Paragraph, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { ScrollArea } from '../ScrollArea.js';
import { DownloadCsv, Figure, KeyFigure, RevisionFootnote, SyntheticTag } from './common.js';
import { decimalFormatter, isoDate, percentFormatter } from './format.js';
import { STAT_KINDS, type GuaranteeFigures, type OverviewAnswer } from './types.js';

/** The headline figures of the period (GET /stats/overview): one card per guarantee kind, and the same as a table. */
export function Headline({ overview, place, placeIn, periodLabel }: { overview: OverviewAnswer; place: string; placeIn: string; periodLabel: string }) {
  const { t, lang, locale, formatNumber, formatDate } = useI18n();
  const s = t.stats;
  const pct = percentFormatter(locale);
  const dec = decimalFormatter(locale);
  const kinds = STAT_KINDS.flatMap((k) => overview.guarantee.filter((g) => g.guaranteeKind === k));
  const rev = { revision: overview.revision, revisedAt: overview.revisedAt };
  const fig = (g: GuaranteeFigures, v: number | null, f: (n: number) => string) => <Figure value={v} format={f} suppressed={g.suppressed} {...rev} />;
  const caption = s.headlineCaption(placeIn, periodLabel);
  const csvRows = kinds.map((g) => [
    overview.period, overview.regionCode ?? '', overview.view, g.guaranteeKind, g.waitingCount, g.withinGuaranteeShare, g.medianWaitedDays, g.p90WaitedDays,
    g.completedCount, g.completedWithinGuaranteeShare, g.medianCompletedWaitDays, g.suppressed, overview.revision, isoDate(overview.revisedAt),
  ]);
  return (
    <section aria-labelledby="headline-heading" className="stat-section" data-testid="headline">
      <Heading level={2} data-size="md" id="headline-heading" tabIndex={-1}>
        {s.headlineHeading(place, periodLabel)}
      </Heading>
      <p className="hint">
        {overview.dataAsOf ? `${s.dataAsOf(formatDate(overview.dataAsOf))} · ` : ''}
        {s.computedAt(formatDate(overview.computedAt))}
        {overview.synthetic && (
          <>
            {' · '}
            <SyntheticTag />
          </>
        )}
      </p>
      <Paragraph className="stat-summary" data-testid="overview-summary">
        {overview.summary[lang]}
      </Paragraph>
      <div className="stat-cards">
        {kinds.map((g) => (
          <article key={g.guaranteeKind} className="stat-card" aria-labelledby={`kind-${g.guaranteeKind}`} data-testid={`headline-${g.guaranteeKind}`}>
            <Heading level={3} data-size="xs" id={`kind-${g.guaranteeKind}`}>
              {s.kinds[g.guaranteeKind] ?? g.guaranteeKind}
            </Heading>
            <p className="hint">{s.kindLimits[g.guaranteeKind]}</p>
            <dl className="stat-figures">
              <KeyFigure label={s.figWithin} value={fig(g, g.withinGuaranteeShare, pct)} help={s.figWithinHelp} testId="fig-within" />
              <KeyFigure label={s.figWaiting} value={fig(g, g.waitingCount, formatNumber)} testId="fig-waiting" />
              <KeyFigure label={s.figMedian} value={fig(g, g.medianWaitedDays, dec)} testId="fig-median" />
              <KeyFigure label={s.figCompletedWithin} value={fig(g, g.completedWithinGuaranteeShare, pct)} testId="fig-completed-within" />
            </dl>
          </article>
        ))}
      </div>
      <RevisionFootnote rows={[rev]} />
      <Details>
        <Details.Summary>{s.headlineTable}</Details.Summary>
        <Details.Content>
          <ScrollArea label={caption}>
            <Table data-size="sm" zebra border data-testid="headline-table">
              <caption>{caption}</caption>
              <Table.Head>
                <Table.Row>
                  <Table.HeaderCell scope="col">{s.colKind}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{s.figWaiting}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{s.figWithin}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{s.figMedian}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{s.figP90}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{s.figCompleted}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{s.figCompletedWithin}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{s.figMedianCompleted}</Table.HeaderCell>
                </Table.Row>
              </Table.Head>
              <Table.Body>
                {kinds.map((g) => (
                  <Table.Row key={g.guaranteeKind}>
                    <Table.HeaderCell scope="row">{s.kinds[g.guaranteeKind] ?? g.guaranteeKind}</Table.HeaderCell>
                    <Table.Cell className="num">{fig(g, g.waitingCount, formatNumber)}</Table.Cell>
                    <Table.Cell className="num">{fig(g, g.withinGuaranteeShare, pct)}</Table.Cell>
                    <Table.Cell className="num">{fig(g, g.medianWaitedDays, dec)}</Table.Cell>
                    <Table.Cell className="num">{fig(g, g.p90WaitedDays, dec)}</Table.Cell>
                    <Table.Cell className="num">{fig(g, g.completedCount, formatNumber)}</Table.Cell>
                    <Table.Cell className="num">{fig(g, g.completedWithinGuaranteeShare, pct)}</Table.Cell>
                    <Table.Cell className="num">{fig(g, g.medianCompletedWaitDays, dec)}</Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
            </Table>
          </ScrollArea>
        </Details.Content>
      </Details>
      <DownloadCsv
        filename={`vardgaranti-${overview.regionCode ?? 'riket'}-${overview.period}.csv`}
        header={['period', 'region_code', 'view', 'guarantee_kind', 'waiting_count', 'within_guarantee_share', 'median_waited_days', 'p90_waited_days', 'completed_count', 'completed_within_guarantee_share', 'median_completed_wait_days', 'suppressed', 'revision', 'revised_at']}
        rows={csvRows}
      />
    </section>
  );
}
