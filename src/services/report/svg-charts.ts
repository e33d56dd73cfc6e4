/**
 * Small, pure SVG charts for the monthly report: a line chart (a figure over months) and a horizontal grouped bar
 * chart (a figure per region). No I/O and no DOM: each function returns one self-contained <svg> element as a string,
 * with a <title> and <desc> for screen readers (the report also prints each chart's data as a table). Colours are told
 * apart by line dash and marker shape too, so the charts survive black-and-white printing and colour blindness.
 */

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A number with at most two decimals, for coordinates. */
const n = (v: number): string => String(Math.round(v * 100) / 100);

export interface ChartSeries {
  label: string;
  color: string;
  /** stroke-dasharray of the line (line chart); '' = solid */
  dash?: string;
  /** marker of the points (line chart) */
  marker?: 'circle' | 'square' | 'triangle';
}

export interface Target {
  value: number;
  label: string;
}

export interface LineChartInput {
  /** unique within the document (used for element ids) */
  id: string;
  title: string;
  desc: string;
  /** the x categories in order (e.g. periods) and their short labels */
  x: { key: string; label: string }[];
  series: (ChartSeries & { values: (number | null)[] })[];
  yMin: number;
  yMax: number;
  yTicks: number[];
  formatY: (v: number) => string;
  target?: Target;
  width?: number;
  height?: number;
}

function marker(kind: ChartSeries['marker'], x: number, y: number, color: string): string {
  if (kind === 'square') return `<rect x="${n(x - 3.5)}" y="${n(y - 3.5)}" width="7" height="7" fill="${color}"/>`;
  if (kind === 'triangle') return `<path d="M${n(x)} ${n(y - 4.5)}L${n(x + 4.5)} ${n(y + 3.5)}L${n(x - 4.5)} ${n(y + 3.5)}Z" fill="${color}"/>`;
  return `<circle cx="${n(x)}" cy="${n(y)}" r="3.5" fill="${color}"/>`;
}

function legend(series: ChartSeries[], x0: number, y: number, withLine: boolean, target?: Target): string {
  const parts: string[] = [];
  let x = x0;
  for (const s of series) {
    if (withLine) {
      parts.push(`<line x1="${n(x)}" y1="${n(y)}" x2="${n(x + 22)}" y2="${n(y)}" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      parts.push(marker(s.marker, x + 11, y, s.color));
    } else parts.push(`<rect x="${n(x)}" y="${n(y - 6)}" width="14" height="12" fill="${s.color}"/>`);
    parts.push(`<text x="${n(x + (withLine ? 28 : 19))}" y="${n(y + 4)}" class="lg">${escapeXml(s.label)}</text>`);
    x += (withLine ? 40 : 30) + s.label.length * 5.9;
  }
  if (target) {
    parts.push(`<line x1="${n(x)}" y1="${n(y)}" x2="${n(x + 22)}" y2="${n(y)}" stroke="#6b1d1d" stroke-width="1.5" stroke-dasharray="2 3"/>`);
    parts.push(`<text x="${n(x + 28)}" y="${n(y + 4)}" class="lg">${escapeXml(target.label)}</text>`);
  }
  return parts.join('');
}

const STYLE = '<style>text{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;fill:#1a1a1a}.ax{font-size:10px}.lg{font-size:10.5px}.vl{font-size:9px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}</style>';

/** A line chart of one or more series over ordered categories; a null value breaks the line (a hidden figure). */
export function lineChart(input: LineChartInput): string {
  const width = input.width ?? 680;
  const height = input.height ?? 300;
  const left = 48;
  const right = 16;
  const top = 34;
  const bottom = 34;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const count = input.x.length;
  const xAt = (i: number) => left + (count <= 1 ? plotW / 2 : (i * plotW) / (count - 1));
  const span = input.yMax - input.yMin || 1;
  const yAt = (v: number) => top + plotH - ((Math.min(Math.max(v, input.yMin), input.yMax) - input.yMin) / span) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${input.id}-t ${input.id}-d">`);
  out.push(`<title id="${input.id}-t">${escapeXml(input.title)}</title><desc id="${input.id}-d">${escapeXml(input.desc)}</desc>${STYLE}`);
  // grid and y axis
  for (const t of input.yTicks) {
    const y = yAt(t);
    out.push(`<line x1="${left}" y1="${n(y)}" x2="${width - right}" y2="${n(y)}" stroke="#d9d9d9" stroke-width="1"/>`);
    out.push(`<text x="${left - 6}" y="${n(y + 3.5)}" text-anchor="end" class="ax">${escapeXml(input.formatY(t))}</text>`);
  }
  out.push(`<line x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${top + plotH}" stroke="#555" stroke-width="1"/>`);
  // x labels: every label when there is room, else every other
  const step = count > 14 ? 2 : 1;
  input.x.forEach((c, i) => {
    if (i % step !== 0 && i !== count - 1) return;
    out.push(`<text x="${n(xAt(i))}" y="${top + plotH + 16}" text-anchor="middle" class="ax">${escapeXml(c.label)}</text>`);
  });
  if (input.target) {
    const y = yAt(input.target.value);
    out.push(`<line x1="${left}" y1="${n(y)}" x2="${width - right}" y2="${n(y)}" stroke="#6b1d1d" stroke-width="1.5" stroke-dasharray="2 3"/>`);
  }
  for (const s of input.series) {
    // consecutive non-null runs become one path each
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) out.push(`<path d="${run.join('')}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      run = [];
    };
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return flush();
      run.push(`${run.length === 0 ? 'M' : 'L'}${n(xAt(i))} ${n(yAt(v))}`);
    });
    flush();
    s.values.forEach((v, i) => {
      if (v !== null && Number.isFinite(v)) out.push(marker(s.marker, xAt(i), yAt(v), s.color));
    });
  }
  out.push(legend(input.series, left, 14, true, input.target));
  out.push('</svg>');
  return out.join('');
}

export interface BarChartInput {
  id: string;
  title: string;
  desc: string;
  /** one row of bars per category, top to bottom; `strong` draws the label in bold (e.g. the national figure) */
  categories: { label: string; values: (number | null)[]; strong?: boolean }[];
  series: ChartSeries[];
  xMax: number;
  xTicks: number[];
  formatX: (v: number) => string;
  /** shown where a value is null (e.g. "–" for a hidden figure) */
  missingLabel: string;
  target?: Target;
  width?: number;
}

/** A horizontal bar chart with one group of bars (one per series) per category. */
export function barChart(input: BarChartInput): string {
  const width = input.width ?? 680;
  const left = 168;
  const right = 44;
  const top = 30;
  const barH = 11;
  const groupGap = 6;
  const groupH = barH * input.series.length + groupGap;
  const plotH = groupH * input.categories.length;
  const height = top + plotH + 26;
  const plotW = width - left - right;
  const xAt = (v: number) => left + (Math.min(Math.max(v, 0), input.xMax) / (input.xMax || 1)) * plotW;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${input.id}-t ${input.id}-d">`);
  out.push(`<title id="${input.id}-t">${escapeXml(input.title)}</title><desc id="${input.id}-d">${escapeXml(input.desc)}</desc>${STYLE}`);
  for (const t of input.xTicks) {
    const x = xAt(t);
    out.push(`<line x1="${n(x)}" y1="${top}" x2="${n(x)}" y2="${top + plotH}" stroke="#d9d9d9" stroke-width="1"/>`);
    out.push(`<text x="${n(x)}" y="${top + plotH + 14}" text-anchor="middle" class="ax">${escapeXml(input.formatX(t))}</text>`);
  }
  if (input.target) {
    const x = xAt(input.target.value);
    out.push(`<line x1="${n(x)}" y1="${top - 4}" x2="${n(x)}" y2="${top + plotH}" stroke="#6b1d1d" stroke-width="1.5" stroke-dasharray="2 3"/>`);
  }
  input.categories.forEach((c, ci) => {
    const y0 = top + ci * groupH + groupGap / 2;
    out.push(`<text x="${left - 6}" y="${n(y0 + (barH * input.series.length) / 2 + 3.5)}" text-anchor="end" class="ax"${c.strong ? ' font-weight="bold"' : ''}>${escapeXml(c.label)}</text>`);
    input.series.forEach((s, si) => {
      const v = c.values[si] ?? null;
      const y = y0 + si * barH;
      if (v === null || !Number.isFinite(v)) {
        out.push(`<text x="${left + 3}" y="${n(y + barH - 0.5)}" class="vl">${escapeXml(input.missingLabel)}</text>`);
        return;
      }
      const w = Math.max(xAt(v) - left, 0.5);
      out.push(`<rect x="${left}" y="${n(y)}" width="${n(w)}" height="${barH - 1}" fill="${s.color}"/>`);
      out.push(`<text x="${n(left + w + 3)}" y="${n(y + barH - 1)}" class="vl">${escapeXml(input.formatX(v))}</text>`);
    });
  });
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#555" stroke-width="1"/>`);
  out.push(legend(input.series, 8, 12, false, input.target));
  out.push('</svg>');
  return out.join('');
}
