import { useEffect, useMemo, useRef } from 'react';
import * as Plot from '@observablehq/plot';
import { Heading, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { ScrollArea } from './ScrollArea.js';
import { COUNTIES, type CountyFeature } from './counties.js';
import type { Region } from '../api.js';

interface Props {
  regions: Region[] | null;
  loading: boolean;
  error: boolean;
  serviceName?: string | undefined;
  selectedRegion: string;
  onSelectRegion: (code: string) => void;
}

/**
 * The county map (Observable Plot, SVG) coloured by the number of care units, with a legend and a table
 * beside it that carries the same figures: colour never carries meaning alone, and the table is the keyboard path.
 */
export function RegionMap({ regions, loading, error, serviceName, selectedRegion, onSelectRegion }: Props) {
  const { t, lang, formatNumber } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const title = serviceName ? t.map.titleService(serviceName) : t.map.title;
  const byIso = useMemo(() => new Map((regions ?? []).map((r) => [r.iso3166_2, r])), [regions]);
  const sorted = useMemo(() => [...(regions ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'sv')), [regions]);
  const total = sorted.reduce((sum, r) => sum + r.unitCount, 0);

  useEffect(() => {
    const host = ref.current;
    if (!host || !regions) return;
    const count = (f: CountyFeature) => byIso.get(f.properties.iso_3166_2)?.unitCount ?? 0;
    const label = (f: CountyFeature) => {
      const r = byIso.get(f.properties.iso_3166_2);
      return `${r?.name ?? (lang === 'sv' ? f.properties.name_sv : f.properties.name_en)}: ${formatNumber(count(f))}`;
    };
    const max = Math.max(1, ...regions.map((r) => r.unitCount));
    const width = Math.min(host.clientWidth || 320, 420);
    const chart = Plot.plot({
      width,
      height: Math.round(width * 1.9),
      margin: 4,
      projection: { type: 'transverse-mercator', rotate: [-16, -62], domain: COUNTIES },
      color: {
        type: 'linear',
        domain: [0, max],
        range: ['#e3eef8', '#0b3d6e'],
        legend: true,
        label: t.map.legend,
        tickFormat: (d: number) => formatNumber(d),
      },
      style: { fontSize: '14px', color: '#1e2b3c', background: 'transparent' },
      ariaLabel: title,
      ariaDescription: t.map.description,
      marks: [
        Plot.geo(COUNTIES.features, {
          fill: (f: CountyFeature) => count(f),
          stroke: '#ffffff',
          strokeWidth: 0.8,
          title: label,
          ariaLabel: label,
        }),
        // The chosen region's outline on top, so neighbours do not paint over it.
        Plot.geo(
          COUNTIES.features.filter((f) => byIso.get(f.properties.iso_3166_2)?.code === selectedRegion),
          { stroke: '#c8102e', strokeWidth: 3, fill: 'none', ariaHidden: 'true' },
        ),
      ],
    });
    // Mouse users may click a county to filter; keyboard and screen-reader users use the table's buttons.
    const paths = chart.querySelectorAll<SVGPathElement>('g[aria-label="geo"]:not([aria-hidden]) path');
    paths.forEach((p, i) => {
      const code = COUNTIES.features[i] ? byIso.get(COUNTIES.features[i].properties.iso_3166_2)?.code : undefined;
      if (!code) return;
      p.style.cursor = 'pointer';
      p.addEventListener('click', () => onSelectRegion(code));
    });
    host.replaceChildren(chart);
    return () => {
      chart.remove();
    };
  }, [regions, byIso, selectedRegion, lang, t, title, formatNumber, onSelectRegion]);

  return (
    <section className="map-section" aria-labelledby="map-heading">
      <Heading level={2} data-size="sm" id="map-heading">
        {title}
      </Heading>
      <div className="map-layout">
        <figure className="map-figure" aria-labelledby="map-caption">
          {error ? (
            <p role="alert">{t.map.error}</p>
          ) : (
            <div ref={ref} className="map-host" data-testid="region-map" aria-busy={loading || undefined}>
              {!regions && <p>{t.map.loading}</p>}
            </div>
          )}
          <figcaption id="map-caption" className="map-caption">
            {t.map.description} {t.map.source}
          </figcaption>
        </figure>
        <ScrollArea className="map-table" label={t.map.tableCaption}>
          <Table data-size="sm" zebra border data-testid="region-table">
            <caption>{t.map.tableCaption}</caption>
            <Table.Head>
              <Table.Row>
                <Table.HeaderCell scope="col">{t.map.colRegion}</Table.HeaderCell>
                <Table.HeaderCell scope="col" className="num">
                  {t.map.colUnits}
                </Table.HeaderCell>
              </Table.Row>
            </Table.Head>
            <Table.Body>
              {sorted.map((r) => (
                <Table.Row key={r.code} aria-current={r.code === selectedRegion ? 'true' : undefined}>
                  <Table.HeaderCell scope="row">
                    <button type="button" className="linklike" onClick={() => onSelectRegion(r.code)} aria-label={t.map.chooseRegion(r.name)}>
                      {r.name}
                    </button>
                  </Table.HeaderCell>
                  <Table.Cell className="num">{formatNumber(r.unitCount)}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
            {sorted.length > 0 && (
              <tfoot>
                <Table.Row>
                  <Table.HeaderCell scope="row">{t.map.total}</Table.HeaderCell>
                  <Table.Cell className="num">{formatNumber(total)}</Table.Cell>
                </Table.Row>
              </tfoot>
            )}
          </Table>
        </ScrollArea>
      </div>
    </section>
  );
}
