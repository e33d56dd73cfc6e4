import { useEffect, useRef } from 'react';
import * as Plot from '@observablehq/plot';
import { useI18n } from '../i18n/index.js';

export interface ChartRow { name: string; median: number; p90: number | null }

/**
 * Regions compared: a horizontal bar per region for the median wait, a tick for the 90th percentile and a rule at the
 * guarantee's 90 days. Regions with hidden figures are left out here; the table beside it lists every region.
 */
export function WaitChart({ rows, title, description, guaranteeLabel, axisLabel }: { rows: ChartRow[]; title: string; description: string; guaranteeLabel: string; axisLabel: string }) {
  const { formatNumber } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    const sorted = [...rows].sort((a, b) => b.median - a.median);
    const width = Math.max(320, Math.min(host.clientWidth || 640, 760));
    const chart = Plot.plot({
      width,
      height: 56 + 24 * sorted.length,
      marginTop: 28,
      marginLeft: Math.min(190, width * 0.42),
      x: { label: axisLabel, grid: true, tickFormat: (d: number) => formatNumber(d) },
      y: { label: null, domain: sorted.map((r) => r.name) },
      style: { fontSize: '13px', color: '#1e2b3c', background: 'transparent' },
      ariaLabel: title,
      ariaDescription: description,
      marks: [
        Plot.barX(sorted, { x: 'median', y: 'name', fill: '#1f5fa6', title: (r: ChartRow) => `${r.name}: ${formatNumber(r.median)}` }),
        Plot.tickX(sorted.filter((r) => r.p90 !== null), { x: 'p90', y: 'name', stroke: '#7a2e00', strokeWidth: 3, ariaHidden: 'true' }),
        Plot.ruleX([90], { stroke: '#c8102e', strokeDasharray: '4 3', strokeWidth: 2, ariaHidden: 'true' }),
        Plot.text([90], { x: (d: number) => d, frameAnchor: 'top', dy: -2, text: () => guaranteeLabel, textAnchor: 'start', dx: 4, fill: '#8a0b1f', ariaHidden: 'true' }),
        Plot.ruleX([0], { ariaHidden: 'true' }),
      ],
    });
    host.replaceChildren(chart);
    return () => chart.remove();
  }, [rows, title, description, guaranteeLabel, axisLabel, formatNumber]);
  return <div ref={ref} className="chart-host" data-testid="wait-chart" />;
}
