import { useEffect, useRef } from 'react';
import * as Plot from '@observablehq/plot';
import { COUNTIES, type CountyFeature } from '../counties.js';
import { useI18n } from '../../i18n/index.js';

export interface StatsMapValue { iso3166_2: string; code: string; name: string; value: number | null }

/**
 * The county map for a percentage per region (Observable Plot, SVG), with a legend. Every county is drawn grey first,
 * with a hatch-free light grey for a hidden or missing figure, and the counties with a figure are painted over it, so a
 * region without a figure is still visible. The page's table carries the same figures and is the keyboard path.
 */
export function StatsMap({ values, title, description, legend, missing, selectedRegion, onSelectRegion }: {
  values: StatsMapValue[]; title: string; description: string; legend: string; missing: string; selectedRegion: string; onSelectRegion: (code: string) => void;
}) {
  const { formatNumber } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    const byIso = new Map(values.map((v) => [v.iso3166_2, v]));
    const label = (f: CountyFeature) => {
      const v = byIso.get(f.properties.iso_3166_2);
      const n = v?.value;
      return `${v?.name ?? f.properties.name_sv}: ${n === null || n === undefined ? missing : `${formatNumber(n)} %`}`;
    };
    const withValue = COUNTIES.features.filter((f) => byIso.get(f.properties.iso_3166_2)?.value != null);
    const width = Math.min(host.clientWidth || 320, 420);
    const chart = Plot.plot({
      width,
      height: Math.round(width * 1.9),
      margin: 4,
      projection: { type: 'transverse-mercator', rotate: [-16, -62], domain: COUNTIES },
      color: { type: 'linear', domain: [0, 100], range: ['#fdf0d5', '#7a2e00'], legend: true, label: legend, tickFormat: (d: number) => formatNumber(d) },
      style: { fontSize: '14px', color: '#1e2b3c', background: 'transparent' },
      ariaLabel: title,
      ariaDescription: description,
      marks: [
        // Every county, labelled with its figure or "–": the layer screen readers and mouse users meet.
        Plot.geo(COUNTIES.features, { fill: '#c4c8cc', stroke: '#ffffff', strokeWidth: 0.8, title: label, ariaLabel: label }),
        Plot.geo(withValue, { fill: (f: CountyFeature) => byIso.get(f.properties.iso_3166_2)?.value ?? 0, stroke: '#ffffff', strokeWidth: 0.8, title: label, ariaHidden: 'true' }),
        Plot.geo(
          COUNTIES.features.filter((f) => byIso.get(f.properties.iso_3166_2)?.code === selectedRegion),
          { stroke: '#003d7a', strokeWidth: 3, fill: 'none', ariaHidden: 'true' },
        ),
      ],
    });
    // Mouse users may click a county; keyboard and screen-reader users use the table's buttons.
    const layers = chart.querySelectorAll<SVGGElement>('g[aria-label="geo"]');
    const attach = (layer: SVGGElement | undefined, features: CountyFeature[]) =>
      layer?.querySelectorAll<SVGPathElement>('path').forEach((p, i) => {
        const code = features[i] ? byIso.get(features[i].properties.iso_3166_2)?.code : undefined;
        if (!code) return;
        p.style.cursor = 'pointer';
        p.addEventListener('click', () => onSelectRegion(code));
      });
    attach(layers[0], COUNTIES.features);
    attach(layers[1], withValue);
    host.replaceChildren(chart);
    return () => chart.remove();
  }, [values, title, description, legend, missing, selectedRegion, onSelectRegion, formatNumber]);
  return <div ref={ref} className="map-host" data-testid="stats-map" />;
}
