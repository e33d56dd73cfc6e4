import { useMemo } from 'react';
import { Heading, Paragraph, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import type { Region } from '../../api.js';
import { ScrollArea } from '../ScrollArea.js';
import { StatsMap, type StatsMapValue } from './StatsMap.js';
import { RegionBarChart, type RegionBar } from './RegionBarChart.js';
import { DownloadCsv, Figure, RevisionFootnote, SyntheticTag } from './common.js';
import { isoDate, percentFormatter } from './format.js';
import type { PublishedValue, RegionsAnswer } from './types.js';

/** "Jämförelse mellan regioner": GET /stats/regions as a bar chart, the county map and one table with the figures. */
export function RegionsSection({ answer, regions, kindName, periodLabel, selected, onChooseRegion, synthetic }: { answer: RegionsAnswer; regions: Region[]; kindName: string; periodLabel: string; selected: string; onChooseRegion: (code: string) => void; synthetic: boolean }) {
  const { t, locale, formatNumber } = useI18n();
  const s = t.stats;
  const pct = percentFormatter(locale);
  const national = answer.items.find((i) => i.regionCode === null);
  const rows = useMemo(() => {
    const byCode = new Map(answer.items.filter((i) => i.regionCode !== null).map((i) => [i.regionCode!, i]));
    return [...regions].sort((a, b) => a.name.localeCompare(b.name, 'sv')).map((region) => ({ region, row: byCode.get(region.code) }));
  }, [answer, regions]);
  const bars: RegionBar[] = useMemo(() => rows.flatMap(({ region, row }) => (row?.value != null ? [{ code: region.code, name: region.name, value: row.value }] : [])), [rows]);
  const mapValues: StatsMapValue[] = useMemo(
    () => rows.map(({ region, row }) => ({ iso3166_2: region.iso3166_2, code: region.code, name: region.name, value: row?.value == null ? null : Math.round(row.value * 1000) / 10 })),
    [rows],
  );
  const title = s.regionsTitle(kindName, periodLabel);
  const caption = s.regionsCaption(kindName, periodLabel);
  let summary = s.regionsSummaryNone;
  if (bars.length === 1) summary = s.regionsSummaryOne(bars[0]!.name, pct(bars[0]!.value));
  else if (bars.length > 1) {
    const sorted = [...bars].sort((a, b) => b.value - a.value);
    const best = sorted[0]!;
    const worst = sorted.at(-1)!;
    summary = s.regionsSummary(best.name, pct(best.value), worst.name, pct(worst.value));
  }
  if (national?.value != null) summary += s.regionsSummaryNational(pct(national.value));
  const figure = (r: PublishedValue | undefined, pick: (r: PublishedValue) => number | null, f: (n: number) => string, withRevision = false) => (
    <Figure value={r ? pick(r) : null} format={f} suppressed={r?.suppressed ?? false} {...(withRevision && r ? { revision: r.revision, revisedAt: r.revisedAt } : {})} />
  );
  return (
    <section aria-labelledby="regions-heading" className="stat-section" data-testid="regions">
      <Heading level={2} data-size="md" id="regions-heading">
        {s.regionsHeading}
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
      <Paragraph className="stat-summary" data-testid="regions-summary">
        {summary}
      </Paragraph>
      {bars.length > 0 && (
        <figure className="stat-figure-block" aria-labelledby="regions-chart-caption">
          <RegionBarChart bars={bars} national={national?.value ?? null} selected={selected} title={title} description={`${s.regionsDescription} ${summary}`} axisLabel={s.colShare} nationalLabel={s.nationalLine} />
          <figcaption id="regions-chart-caption" className="map-caption">
            {s.regionsDescription}
          </figcaption>
        </figure>
      )}
      <div className="map-layout">
        <figure className="map-figure" aria-labelledby="regions-map-caption">
          <StatsMap values={mapValues} title={s.regionsMapTitle(kindName, periodLabel)} description={s.regionsMapDescription} legend={s.regionsMapLegend} missing="–" selectedRegion={selected} onSelectRegion={onChooseRegion} />
          <figcaption id="regions-map-caption" className="map-caption">
            {s.regionsMapDescription}
          </figcaption>
        </figure>
        <div>
          <ScrollArea label={caption}>
            <Table data-size="sm" zebra border data-testid="regions-table">
              <caption>{caption}</caption>
              <Table.Head>
                <Table.Row>
                  <Table.HeaderCell scope="col">{s.colRegion}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{s.colShare}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{s.colWithinCount}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">{s.colWaitingCount}</Table.HeaderCell>
                </Table.Row>
              </Table.Head>
              <Table.Body>
                {rows.map(({ region, row }) => (
                  <Table.Row key={region.code} data-region={region.code} aria-current={region.code === selected ? 'true' : undefined}>
                    <Table.HeaderCell scope="row">
                      <button type="button" className="linklike" onClick={() => onChooseRegion(region.code)} aria-label={s.chooseRegion(region.name)}>
                        {region.name}
                      </button>
                    </Table.HeaderCell>
                    <Table.Cell className="num" data-testid="cell-share">{figure(row, (r) => r.value, pct, true)}</Table.Cell>
                    <Table.Cell className="num">{figure(row, (r) => r.numeratorCount, formatNumber)}</Table.Cell>
                    <Table.Cell className="num">{figure(row, (r) => r.denominatorCount, formatNumber)}</Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
              {national && (
                <tfoot>
                  <Table.Row data-region="">
                    <Table.HeaderCell scope="row">{s.national}</Table.HeaderCell>
                    <Table.Cell className="num" data-testid="cell-share">{figure(national, (r) => r.value, pct, true)}</Table.Cell>
                    <Table.Cell className="num">{figure(national, (r) => r.numeratorCount, formatNumber)}</Table.Cell>
                    <Table.Cell className="num">{figure(national, (r) => r.denominatorCount, formatNumber)}</Table.Cell>
                  </Table.Row>
                </tfoot>
              )}
            </Table>
          </ScrollArea>
          <RevisionFootnote rows={answer.items} />
          <DownloadCsv
            filename={`andel-inom-vardgarantin-regioner-${answer.period}.csv`}
            header={['period', 'region_code', 'region_name', 'view', 'guarantee_kind', 'within_guarantee_share', 'numerator_count', 'denominator_count', 'suppressed', 'revision', 'revised_at']}
            rows={[...(national ? [{ region: null, row: national }] : []), ...rows].map(({ region, row }) => [
              answer.period, region?.code ?? '', region?.name ?? s.national, row?.view ?? '', row?.guaranteeKind ?? '', row?.value ?? null, row?.numeratorCount ?? null, row?.denominatorCount ?? null,
              row?.suppressed ?? false, row?.revision ?? null, isoDate(row?.revisedAt),
            ])}
          />
        </div>
      </div>
    </section>
  );
}
