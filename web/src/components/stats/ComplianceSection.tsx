import { useId, useMemo } from 'react';
import { Details, Heading, Paragraph, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { ScrollArea } from '../ScrollArea.js';
import { ComplianceChart, type TrendPoint } from './ComplianceChart.js';
import { DownloadCsv, Figure, RevisionFootnote, SyntheticTag } from './common.js';
import { formatPeriod, formatPeriodShort, isoDate, percentFormatter } from './format.js';
import type { SeriesAnswer } from './types.js';

/** A plain sentence from the figures: the newest visible share, and the first visible one for comparison. */
export function complianceSentence(items: SeriesAnswer['items'], t: ReturnType<typeof useI18n>['t'], locale: string, kindName: string, placeIn: string): string {
  const pct = percentFormatter(locale);
  const last = items.at(-1);
  if (!last || last.value === null) return t.stats.complianceNoValue;
  let text = t.stats.complianceSummary(kindName, placeIn, formatPeriod(last.period, locale), pct(last.value));
  const first = items.find((i) => i.value !== null);
  if (first && first !== last && first.value !== null) text += t.stats.complianceChange(formatPeriod(first.period, locale), pct(first.value));
  return text;
}

/** "Andel inom vårdgarantin över tid": the line chart of GET /stats/series, its table, a summary and the CSV. */
export function ComplianceSection({ series, kindName, place, placeIn, showFirst, onShowFirst, synthetic }: { series: SeriesAnswer; kindName: string; place: string; placeIn: string; showFirst: boolean; onShowFirst: (on: boolean) => void; synthetic: boolean }) {
  const { t, locale, formatNumber } = useI18n();
  const s = t.stats;
  const pct = percentFormatter(locale);
  const summaryId = useId();
  const items = series.items;
  const anyRevised = items.some((i) => i.firstPublished !== null);
  const points: TrendPoint[] = useMemo(() => items.map((i) => ({ period: i.period, value: i.value, first: i.firstPublished ? i.firstPublished.value : i.value })), [items]);
  const title = s.complianceTitle(kindName, place);
  const caption = s.complianceCaption(kindName, place);
  const summary = complianceSentence(items, t, locale, kindName, placeIn);
  return (
    <section aria-labelledby="compliance-heading" className="stat-section" data-testid="compliance">
      <Heading level={2} data-size="md" id="compliance-heading">
        {s.complianceHeading}
      </Heading>
      <p className="hint">
        {title}
        {synthetic && (
          <>
            {' · '}
            <SyntheticTag />
          </>
        )}
      </p>
      <Paragraph className="stat-summary" id={summaryId} data-testid="compliance-summary">
        {summary}
      </Paragraph>
      {items.length === 0 ? (
        <Paragraph>{s.emptyChart}</Paragraph>
      ) : (
        <>
          <figure className="stat-figure-block" aria-labelledby="compliance-caption">
            <ComplianceChart points={points} showFirst={showFirst && anyRevised} title={title} description={`${s.complianceDescription} ${summary}`} yLabel={s.colShare} />
            <figcaption id="compliance-caption" className="map-caption">
              {s.complianceDescription} {s.complianceLegendLatest}
              {showFirst && anyRevised ? ` ${s.complianceLegendFirst}` : ''}
            </figcaption>
          </figure>
          {anyRevised && (
            <div className="stat-checkbox">
              <input type="checkbox" id="show-first" checked={showFirst} onChange={(e) => onShowFirst(e.target.checked)} />{' '}
              <label htmlFor="show-first">{s.showFirstPublished}</label>
            </div>
          )}
          <Details>
            <Details.Summary>{s.chartTable}</Details.Summary>
            <Details.Content>
              <ScrollArea label={caption}>
                <Table data-size="sm" zebra border data-testid="compliance-table">
                  <caption>{caption}</caption>
                  <Table.Head>
                    <Table.Row>
                      <Table.HeaderCell scope="col">{s.colPeriod}</Table.HeaderCell>
                      <Table.HeaderCell scope="col" className="num">{s.colShare}</Table.HeaderCell>
                      <Table.HeaderCell scope="col" className="num">{s.colWithinCount}</Table.HeaderCell>
                      <Table.HeaderCell scope="col" className="num">{s.colWaitingCount}</Table.HeaderCell>
                      {anyRevised && <Table.HeaderCell scope="col" className="num">{s.colFirst}</Table.HeaderCell>}
                    </Table.Row>
                  </Table.Head>
                  <Table.Body>
                    {items.map((i) => (
                      <Table.Row key={i.period} data-period={i.period}>
                        <Table.HeaderCell scope="row">{formatPeriodShort(i.period, locale)}</Table.HeaderCell>
                        <Table.Cell className="num" data-testid="cell-share">
                          <Figure value={i.value} format={pct} suppressed={i.suppressed} revision={i.revision} revisedAt={i.revisedAt} />
                        </Table.Cell>
                        <Table.Cell className="num">
                          <Figure value={i.numeratorCount} format={formatNumber} suppressed={i.suppressed} />
                        </Table.Cell>
                        <Table.Cell className="num">
                          <Figure value={i.denominatorCount} format={formatNumber} suppressed={i.suppressed} />
                        </Table.Cell>
                        {anyRevised && (
                          <Table.Cell className="num">
                            {i.firstPublished ? <Figure value={i.firstPublished.value} format={pct} suppressed={i.suppressed} /> : <Figure value={i.value} format={pct} suppressed={i.suppressed} />}
                          </Table.Cell>
                        )}
                      </Table.Row>
                    ))}
                  </Table.Body>
                </Table>
              </ScrollArea>
              <RevisionFootnote rows={items} />
            </Details.Content>
          </Details>
          <DownloadCsv
            filename={`andel-inom-vardgarantin-${series.regionCode ?? 'riket'}-${series.guaranteeKind ?? ''}.csv`}
            header={['period', 'region_code', 'view', 'guarantee_kind', 'within_guarantee_share', 'numerator_count', 'denominator_count', 'suppressed', 'revision', 'revised_at', 'first_published_value']}
            rows={items.map((i) => [i.period, i.regionCode ?? '', i.view ?? '', i.guaranteeKind ?? '', i.value, i.numeratorCount, i.denominatorCount, i.suppressed, i.revision, isoDate(i.revisedAt), i.firstPublished?.value ?? null])}
            describedBy={summaryId}
          />
        </>
      )}
    </section>
  );
}
