import { useEffect, useRef } from 'react';
import * as Plot from '@observablehq/plot';
import { useI18n } from '../../i18n/index.js';
import { percentFormatter } from './format.js';

export interface RegionBar { code: string; name: string; value: number }

/**
 * The regions compared on one share: a horizontal bar per region (hidden figures are left out; the table lists every
 * region), a dashed rule with a text label for the whole country, and the chosen region in a darker colour and bold
 * name (so colour is not the only cue).
 */
export function RegionBarChart({ bars, national, selected, title, description, axisLabel, nationalLabel }: { bars: RegionBar[]; national: number | null; selected: string; title: string; description: string; axisLabel: string; nationalLabel: string }) {
  const { locale } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    const pct = percentFormatter(locale);
    const sorted = [...bars].sort((a, b) => b.value - a.value);
    const width = Math.max(300, Math.min(host.clientWidth || 640, 760));
    const label = (r: RegionBar) => (r.code === selected ? `▶ ${r.name}` : r.name);
    const chart = Plot.plot({
      width,
      height: 80 + 24 * sorted.length,
      marginTop: 30,
      marginBottom: 44,
      marginLeft: Math.min(200, width * 0.45),
      marginRight: 28,
      x: { domain: [0, 1], label: axisLabel, labelAnchor: 'center', labelArrow: 'none', labelOffset: 36, grid: true, tickFormat: (d: number) => pct(d).replace(/[.,]0(?=\s?%)/, '') },
      y: { label: null, domain: sorted.map(label) },
      style: { fontSize: '13px', color: '#1e2b3c', background: 'transparent' },
      ariaLabel: title,
      ariaDescription: description,
      marks: [
        Plot.barX(sorted, {
          x: 'value',
          y: label,
          fill: (r: RegionBar) => (r.code === selected ? '#0b3d6e' : '#4f87c2'),
          title: (r: RegionBar) => `${r.name}: ${pct(r.value)}`,
          ariaLabel: (r: RegionBar) => `${r.name}: ${pct(r.value)}`,
        }),
        ...(national !== null
          ? [
              Plot.ruleX([national], { stroke: '#8a0b1f', strokeDasharray: '4 3', strokeWidth: 2, ariaHidden: 'true' }),
              Plot.text([national], { x: (d: number) => d, frameAnchor: 'top', dy: -16, text: () => `${nationalLabel} ${pct(national)}`, textAnchor: 'middle', fill: '#8a0b1f', ariaHidden: 'true' }),
            ]
          : []),
        Plot.ruleX([0], { ariaHidden: 'true' }),
      ],
    });
    host.replaceChildren(chart);
    return () => chart.remove();
  }, [bars, national, selected, title, description, axisLabel, nationalLabel, locale]);
  return <div ref={ref} className="chart-host stat-chart" data-testid="regions-chart" />;
}
