import { useEffect, useRef } from 'react';
import * as Plot from '@observablehq/plot';
import { useI18n } from '../../i18n/index.js';
import { formatPeriodShort, percentFormatter } from './format.js';

export interface TrendPoint { period: string; value: number | null; first: number | null }

function periodDate(period: string): Date {
  const [y, m] = period.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, 1));
}

/**
 * A share over time (Observable Plot, SVG): a solid line with dots for the newest figures and, when asked for, a
 * dashed line for the first-published ones. Months with a hidden figure break the line. The page shows the same
 * figures in a table; the legend is text below the chart (line styles differ, so colour is not the only cue).
 */
export function ComplianceChart({ points, showFirst, title, description, yLabel }: { points: TrendPoint[]; showFirst: boolean; title: string; description: string; yLabel: string }) {
  const { locale } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    const pct = percentFormatter(locale);
    const data = points.map((p) => ({ date: periodDate(p.period), period: p.period, value: p.value, first: p.first }));
    const width = Math.max(300, Math.min(host.clientWidth || 640, 760));
    const firsts = data.filter((d) => d.first !== null);
    const chart = Plot.plot({
      width,
      height: 280,
      marginLeft: 56,
      marginBottom: 40,
      x: { type: 'utc', label: null, ticks: Math.min(6, data.length), tickFormat: (d: Date) => formatPeriodShort(d.toISOString().slice(0, 7), locale) },
      y: { domain: [0, 1], label: yLabel, grid: true, tickFormat: (d: number) => pct(d).replace(/[.,]0(?=\s?%)/, '') },
      style: { fontSize: '13px', color: '#1e2b3c', background: 'transparent' },
      ariaLabel: title,
      ariaDescription: description,
      marks: [
        Plot.ruleY([0], { ariaHidden: 'true' }),
        ...(showFirst && firsts.length > 0
          ? [
              Plot.lineY(data, { x: 'date', y: (d: (typeof data)[number]) => d.first ?? d.value, stroke: '#6b3f00', strokeWidth: 2, strokeDasharray: '6 4', ariaHidden: 'true' }),
            ]
          : []),
        Plot.lineY(data, { x: 'date', y: 'value', stroke: '#1f5fa6', strokeWidth: 2.5, ariaHidden: 'true' }),
        Plot.dot(data.filter((d) => d.value !== null), {
          x: 'date',
          y: 'value',
          fill: '#1f5fa6',
          r: 3.5,
          title: (d: (typeof data)[number]) => `${formatPeriodShort(d.period, locale)}: ${pct(d.value ?? 0)}`,
          ariaLabel: (d: (typeof data)[number]) => `${formatPeriodShort(d.period, locale)}: ${pct(d.value ?? 0)}`,
        }),
      ],
    });
    host.replaceChildren(chart);
    return () => chart.remove();
  }, [points, showFirst, title, description, yLabel, locale]);
  return <div ref={ref} className="chart-host stat-chart" data-testid="compliance-chart" />;
}
