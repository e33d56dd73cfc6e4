import { useEffect, useRef } from 'react';
import * as Plot from '@observablehq/plot';
import { COUNTIES, type CountyFeature } from './counties.js';
import { useI18n } from '../i18n/index.js';

export interface MapValue { iso3166_2: string; code: string; name: string; value: number | null }

interface Props {
  values: MapValue[];
  title: string;
  description: string;
  legend: string;
  /** text for a region whose value is missing or hidden */
  missing: string;
  selectedRegion: string;
  onSelectRegion: (code: string) => void;
}

/**
 * A county map coloured by a value per region (Observable Plot, SVG), with a legend. Regions without a value are grey.
 * It carries no meaning alone: the page shows the same figures in a table beside it, and the table is the keyboard path.
 */
export function WaitMap({ values, title, description, legend, missing, selectedRegion, onSelectRegion }: Props) {
  const { formatNumber } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    const byIso = new Map(values.map((v) => [v.iso3166_2, v]));
    const value = (f: CountyFeature) => byIso.get(f.properties.iso_3166_2)?.value ?? null;
    const label = (f: CountyFeature) => {
      const v = byIso.get(f.properties.iso_3166_2);
      const n = v?.value;
      return `${v?.name ?? f.properties.name_sv}: ${n === null || n === undefined ? missing : formatNumber(n)}`;
    };
    const max = Math.max(1, ...values.map((v) => v.value ?? 0));
    const width = Math.min(host.clientWidth || 320, 420);
    const chart = Plot.plot({
      width,
      height: Math.round(width * 1.9),
      margin: 4,
      projection: { type: 'transverse-mercator', rotate: [-16, -62], domain: COUNTIES },
      color: { type: 'linear', domain: [0, max], range: ['#fdf0d5', '#7a2e00'], legend: true, label: legend, tickFormat: (d: number) => formatNumber(d) },
      style: { fontSize: '14px', color: '#1e2b3c', background: 'transparent' },
      ariaLabel: title,
      ariaDescription: description,
      marks: [
        Plot.geo(COUNTIES.features, {
          fill: (f: CountyFeature) => value(f) ?? '#c4c8cc',
          stroke: '#ffffff',
          strokeWidth: 0.8,
          title: label,
          ariaLabel: label,
        }),
        Plot.geo(
          COUNTIES.features.filter((f) => byIso.get(f.properties.iso_3166_2)?.code === selectedRegion),
          { stroke: '#003d7a', strokeWidth: 3, fill: 'none', ariaHidden: 'true' },
        ),
      ],
    });
    // Mouse users may click a county; keyboard and screen-reader users use the table's buttons.
    chart.querySelectorAll<SVGPathElement>('g[aria-label="geo"]:not([aria-hidden]) path').forEach((p, i) => {
      const code = COUNTIES.features[i] ? byIso.get(COUNTIES.features[i].properties.iso_3166_2)?.code : undefined;
      if (!code) return;
      p.style.cursor = 'pointer';
      p.addEventListener('click', () => onSelectRegion(code));
    });
    host.replaceChildren(chart);
    return () => chart.remove();
  }, [values, title, description, legend, missing, selectedRegion, onSelectRegion, formatNumber]);
  return <div ref={ref} className="map-host" data-testid="wait-map" />;
}
