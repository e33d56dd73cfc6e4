import type { DataQualityRegion, GoalResult, PublishedValue, ReportData } from './monthly-report.js';
import { barChart, escapeXml, lineChart } from './svg-charts.js';

/*
 * ReportData → one self-contained HTML document (inline CSS and SVG, no scripts, no external files), for the screen
 * and for print on A4 (Chromium prints it to PDF: print-pdf.ts). Language: Swedish first, each heading and note with
 * an English subtitle (lang="en"), so one report serves both; figures are written the Swedish way (78,3 %, 12 345).
 * Hidden figures (disclosure control) are "–", revised ones carry "r"; both are explained in footnotes.
 */

const esc = escapeXml;

// ---------------------------------------------------------------------------------------------------- formatting

/** The key of a headline figure: indicator id and guarantee kind ('' = all kinds). */
export const headlineKey = (indicatorId: string, guaranteeKind: string | null): string => `${indicatorId}|${guaranteeKind ?? ''}`;

const intl = (opts: Intl.NumberFormatOptions) => new Intl.NumberFormat('sv-SE', opts);
const countFmt = intl({ maximumFractionDigits: 0 });
const pctFmt = intl({ minimumFractionDigits: 1, maximumFractionDigits: 1 });
const oneDecFmt = intl({ minimumFractionDigits: 0, maximumFractionDigits: 1 });

/** The sign of a hidden figure (docs/indicators.md: "–" on the web and in the monthly report). */
export const HIDDEN = '–';

/** A count, Swedish style (12 345 with a no-break space); null → "–". */
export function formatCount(v: number | null): string {
  return v === null ? HIDDEN : countFmt.format(v).replace(/\s/g, '\u00a0');
}
/** A share 0–1 as a percentage with one decimal (78,3 %); null → "–". */
export function formatShare(v: number | null): string {
  return v === null ? HIDDEN : `${pctFmt.format(v * 100)}\u00a0%`;
}
/** Days, hours or km: a whole number or one decimal; null → "–". */
export function formatNumber(v: number | null): string {
  return v === null ? HIDDEN : oneDecFmt.format(v).replace(/\s/g, '\u00a0').replace('-', '−');
}

const MONTHS_SV = ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'];
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SHORT_SV = ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];
export const monthSv = (p: string): string => `${MONTHS_SV[Number(p.slice(5, 7)) - 1]} ${p.slice(0, 4)}`;
export const monthEn = (p: string): string => `${MONTHS_EN[Number(p.slice(5, 7)) - 1]} ${p.slice(0, 4)}`;
const monthShort = (p: string): string => `${SHORT_SV[Number(p.slice(5, 7)) - 1]} ${p.slice(2, 4)}`;
const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : HIDDEN);

const KIND: Record<string, { sv: string; en: string }> = {
  primary_assessment: { sv: 'Bedömning i primärvården', en: 'Assessment in primary care' },
  specialist_first_visit: { sv: 'Första besök i specialiserad vård', en: 'First visit in specialist care' },
  treatment: { sv: 'Operation eller annan behandling', en: 'Surgery or other treatment' },
};
const kindName = (k: string) => KIND[k] ?? { sv: k, en: k };

const VIEW: Record<string, { sv: string; en: string }> = {
  excluding_pvv_and_mov: {
    sv: 'Socialstyrelsens synsätt: dagar med patientvald väntan (PvV) och medicinskt orsakad väntan (MoV) räknas inte',
    en: 'Socialstyrelsen’s view: days of patient-chosen waiting (PvV) and medically caused waiting (MoV) are not counted',
  },
  excluding_pvv: {
    sv: 'SKR:s synsätt: dagar med patientvald väntan (PvV) räknas inte',
    en: 'SKR’s view: days of patient-chosen waiting (PvV) are not counted',
  },
};

const STATUS: Record<GoalResult['status'], { sv: string; en: string; sign: string }> = {
  met: { sv: 'Uppfyllt', en: 'met', sign: '✓' },
  not_met: { sv: 'Ej uppfyllt', en: 'not met', sign: '✗' },
  not_assessed: { sv: 'Ej bedömt', en: 'not assessed', sign: '○' },
};

// ---------------------------------------------------------------------------------------------------- revisions

/** Collects the revised figures shown, so that each "r" gets its footnote. */
class Revisions {
  readonly notes: { label: string; revisedAt: string; first: string }[] = [];
  mark(row: PublishedValue | undefined, label: string, format: (v: number | null) => string): string {
    if (!row || row.revision <= 1) return '';
    const first = row.firstPublished ? format(row.firstPublished.valueCount ?? row.firstPublished.value) : HIDDEN;
    this.notes.push({ label, revisedAt: day(row.revisedAt), first });
    return `<sup class="rev" title="reviderad ${esc(day(row.revisedAt))} / revised">r</sup>`;
  }
}

/** A figure cell: the value, "–" when hidden (class hidden), "r" when revised; data-figure names it for checks. */
function figure(id: string, text: string, mark: string): string {
  const hidden = text === HIDDEN;
  return `<td class="num${hidden ? ' hidden' : ''}" data-figure="${esc(id)}">${esc(text)}${mark}</td>`;
}

const bi = (sv: string, en: string, tag = 'span') => `${esc(sv)} <${tag} class="en" lang="en">${esc(en)}</${tag}>`;
const heading = (level: 1 | 2 | 3, sv: string, en: string, id?: string) =>
  `<h${level}${id ? ` id="${id}"` : ''}>${esc(sv)}<span class="sub" lang="en">${esc(en)}</span></h${level}>`;

// ---------------------------------------------------------------------------------------------------- sections

function cover(d: ReportData): string {
  const o = d.overview;
  const view = VIEW[d.view] ?? { sv: d.view, en: d.view };
  const banner = d.synthetic
    ? `<p class="demo" role="note"><strong>Demodata — syntetiska uppgifter.</strong> Alla vårdenheter, patienter och siffror i rapporten är påhittade. <span lang="en">Demo data — synthetic: every care unit, patient and figure in this report is made up.</span></p>`
    : '';
  return `<header class="cover">
<p class="org">Nationell vårdförmedling · <span lang="en">National care brokering</span></p>
<h1>Månadsrapport ${esc(monthSv(d.period))}<span class="sub" lang="en">Monthly report, ${esc(monthEn(d.period))}</span></h1>
<p class="for">För den nationella samordningsfunktionen · <span lang="en">For the national coordination function</span></p>
${banner}
<table class="meta"><tbody>
<tr><th scope="row">${bi('Period', 'Period')}</th><td>${esc(d.period)}</td></tr>
<tr><th scope="row">${bi('Statistiskt synsätt', 'Statistical view')}</th><td data-view="${esc(d.view)}">${esc(view.sv)}. <span class="en" lang="en">${esc(view.en)}.</span></td></tr>
<tr><th scope="row">${bi('Beräknad', 'Computed')}</th><td>${esc(day(o.computedAt))}, revision ${o.revision}${o.revisedAt ? ` (reviderad <span lang="en">revised</span> ${esc(day(o.revisedAt))})` : ''}</td></tr>
<tr><th scope="row">${bi('Uppgifter till och med', 'Data as of')}</th><td>${esc(day(o.dataAsOf))}</td></tr>
<tr><th scope="row">${bi('Rapporten skapad', 'Report made')}</th><td>${esc(d.generatedAt.slice(0, 16).replace('T', ' '))} UTC</td></tr>
</tbody></table>
<p class="summary">${esc(o.summary.sv)}<br><span class="en" lang="en">${esc(o.summary.en)}</span></p>
<p class="summary">${esc(d.brokering.summary.sv)}<br><span class="en" lang="en">${esc(d.brokering.summary.en)}</span></p>
<nav class="toc" aria-label="Innehåll"><h2 class="toc-h">Innehåll<span class="sub" lang="en">Contents</span></h2><ol>
<li><a href="#nyckeltal">Nyckeltal</a> <span class="en" lang="en">Headline figures</span></li>
<li><a href="#malen">Målen: resultat per region</a> <span class="en" lang="en">Goals: results by region</span></li>
<li><a href="#trend">Vårdgarantin över tid</a> <span class="en" lang="en">The care guarantee over time</span></li>
<li><a href="#regioner">Regionerna jämförda</a> <span class="en" lang="en">The regions compared</span></li>
<li><a href="#datakvalitet">Datakvalitet</a> <span class="en" lang="en">Data quality</span></li>
<li><a href="#kallor">Teckenförklaring, källor och definitioner</a> <span class="en" lang="en">Key, sources and definitions</span></li>
</ol></nav>
</header>`;
}

function headline(d: ReportData, rev: Revisions): string {
  const o = d.overview;
  const kinds = o.guarantee;
  const row = (sv: string, en: string, id: string, get: (g: (typeof kinds)[number]) => number | null, fmt: (v: number | null) => string) =>
    `<tr><th scope="row">${bi(sv, en)}</th>${kinds
      .map((g) => {
        const text = fmt(get(g));
        const mark = rev.mark(d.headline[headlineKey(id, g.guaranteeKind)], `${sv}, ${kindName(g.guaranteeKind).sv.toLowerCase()}`, fmt);
        return figure(headlineKey(id, g.guaranteeKind), text, mark);
      })
      .join('')}</tr>`;
  const guarantee = `<table class="figures">
<caption>${bi('Vårdgarantin, hela landet', 'The care guarantee, whole country')}</caption>
<thead><tr><td></td>${kinds.map((g) => `<th scope="col">${bi(kindName(g.guaranteeKind).sv, kindName(g.guaranteeKind).en)}</th>`).join('')}</tr></thead>
<tbody>
${row('Antal väntande', 'Patients waiting', 'waiting_count', (g) => g.waitingCount, formatCount)}
${row('Andel väntande inom vårdgarantin', 'Share of waiting patients within the guarantee', 'within_guarantee_share', (g) => g.withinGuaranteeShare, formatShare)}
${row('Väntad tid hittills, median (dagar)', 'Days waited so far, median', 'median_waited_days', (g) => g.medianWaitedDays, formatNumber)}
${row('Antal genomförda', 'Episodes completed', 'completed_count', (g) => g.completedCount, formatCount)}
${row('Andel genomförda inom vårdgarantin', 'Share completed within the guarantee', 'completed_within_guarantee_share', (g) => g.completedWithinGuaranteeShare, formatShare)}
</tbody></table>`;
  const b = d.brokering;
  const brow = (sv: string, en: string, id: string, v: number | null, fmt: (v: number | null) => string, note = '') =>
    `<tr><th scope="row">${bi(sv, en)}</th>${figure(headlineKey(id, null), fmt(v), rev.mark(d.headline[headlineKey(id, null)], sv, fmt))}<td class="note">${note}</td></tr>`;
  const brokering = `<table class="figures brokering">
<caption>${bi('Vårdförmedling, hela landet', 'Care brokering, whole country')}</caption>
<tbody>
${brow('Öppnade förmedlingsärenden', 'Cases opened', 'cases_opened_count', b.casesOpenedCount, formatCount)}
${brow('Skickade förfrågningar', 'Requests sent', 'requests_sent_count', b.requestsSentCount, formatCount)}
${brow('Andel förfrågningar besvarade i tid', 'Answered within the respond-by time', 'requests_answered_in_time_share', b.answeredInTimeShare, formatShare, b.requestsDueCount !== null ? esc(`av ${formatCount(b.requestsDueCount)} med svarstid i månaden`) : '')}
${brow('Acceptansgrad', 'Acceptance rate', 'acceptance_rate', b.acceptanceRate, formatShare, b.decidedCount !== null ? esc(`av ${formatCount(b.decidedCount)} avgjorda`) : '')}
${brow('Svarstid, median (timmar)', 'Response time, median (hours)', 'median_response_hours', b.medianResponseHours, formatNumber)}
${brow('Ärenden där patienten valt erbjudande', 'Cases where the patient chose an offer', 'cases_chosen_count', b.casesChosenCount, formatCount)}
${brow('Genomförda förmedlingsärenden', 'Cases completed', 'cases_completed_count', b.casesCompletedCount, formatCount)}
${brow('Sparade dagar, median', 'Days saved, median', 'median_days_saved', b.medianDaysSaved, formatNumber, b.daysSavedBasisCount !== null ? esc(`underlag ${formatCount(b.daysSavedBasisCount)} ärenden`) : '')}
${brow('Avstånd till vald enhet, median (km)', 'Distance to the chosen unit, median (km)', 'median_travel_distance_km', b.medianTravelDistanceKm, formatNumber)}
</tbody></table>`;
  const key = `<p class="legend">${HIDDEN} = dold siffra (röjandekontroll), inte noll · <sup class="rev">r</sup> = reviderad, se <a href="#kallor">sista avsnittet</a>. <span class="en" lang="en">${HIDDEN} = hidden figure (disclosure control), not zero · r = revised, see the last section.</span></p>`;
  return `<section class="headline" id="nyckeltal">${heading(2, 'Nyckeltal', 'Headline figures')}${guarantee}${brokering}${key}</section>`;
}

function goalValue(d: ReportData, goalId: string, v: number | null, regional: boolean): string {
  const goal = d.scorecard.goals.find((g) => g.id === goalId);
  if (v === null) return HIDDEN;
  if (goal?.indicatorId === 'waiting_list_on_time' && regional) return v >= 1 ? 'i tid' : 'ej i tid';
  return formatShare(v);
}

function statusCell(d: ReportData, r: GoalResult | undefined, regionCode: string | null): string {
  const regional = regionCode !== null;
  if (!r) return '<td class="status none">·</td>';
  const s = STATUS[r.status];
  const detail = (r.detail ?? []).map((x) => (x.value === null ? HIDDEN : formatShare(x.value))).join(' / ');
  return `<td class="status ${r.status}" data-region="${esc(regionCode ?? '')}" data-goal="${esc(r.goalId)}" data-status="${r.status}"><span class="sign" aria-hidden="true">${s.sign}</span> ${esc(s.sv)} <span class="val">${esc(detail || goalValue(d, r.goalId, r.value, regional))}</span></td>`;
}

function scorecardSection(d: ReportData): string {
  const sc = d.scorecard;
  const goals = sc.goals.filter((g) => g.active);
  const counts = { met: 0, not_met: 0, not_assessed: 0 };
  for (const r of sc.regions) for (const x of r.results) counts[x.status] += 1;
  const goalsList = goals
    .map((g, i) => `<li><strong>M${i + 1}</strong> ${esc(g.title.sv)} <span class="en" lang="en">${esc(g.title.en)}</span> <span class="due">(senast ${esc(g.dueDate)}${g.guaranteeKinds.length > 1 ? `; värden: ${esc(g.guaranteeKinds.map((k) => kindName(k).sv.toLowerCase()).join(' / '))}` : ''})</span></li>`)
    .join('');
  const head = goals.map((_, i) => `<th scope="col">M${i + 1}</th>`).join('');
  const line = (name: string, results: GoalResult[], regionCode: string | null) =>
    `<tr${regionCode === null ? ' class="national"' : ''}><th scope="row">${esc(name)}</th>${goals.map((g) => statusCell(d, results.find((x) => x.goalId === g.id), regionCode)).join('')}</tr>`;
  const rows = [line('Hela landet', sc.national.results, null), ...sc.regions.map((r) => line(r.regionName, r.results, r.regionCode))].join('\n');
  const total = counts.met + counts.not_met + counts.not_assessed;
  const sentence = `Av ${total} bedömningar för regionerna var ${counts.met} uppfyllda, ${counts.not_met} inte uppfyllda och ${counts.not_assessed} kunde inte bedömas.`;
  return `<section class="scorecard" id="malen">${heading(2, 'Målen: resultat per region', 'Goals: results by region')}
<ol class="goals">${goalsList}</ol>
<p class="summary small">${esc(sentence)} <span class="en" lang="en">Of ${total} regional assessments, ${counts.met} were met, ${counts.not_met} not met and ${counts.not_assessed} could not be assessed.</span></p>
<table class="scorecard-table"><caption>${bi(`Måluppfyllelse ${monthSv(d.period)}`, `Goal attainment, ${monthEn(d.period)}`)}</caption>
<thead><tr><th scope="col">Region</th>${head}</tr></thead>
<tbody>
${rows}
</tbody></table>
<p class="legend"><span class="status met">✓ Uppfyllt</span> <span lang="en">met</span> · <span class="status not_met">✗ Ej uppfyllt</span> <span lang="en">not met</span> · <span class="status not_assessed">○ Ej bedömt</span> <span lang="en">not assessed</span>: värdet är dolt eller saknar underlag (till exempel inga förfrågningar med svarstid i månaden). <span lang="en">The value is hidden or has no basis.</span></p>
</section>`;
}

function complianceSection(d: ReportData, rev: Revisions): string {
  const colours = ['#1f5fa8', '#b4531a'];
  const markers = ['circle', 'square'] as const;
  const dashes = ['', '6 3'];
  const valueAt = (items: PublishedValue[], p: string) => items.find((i) => i.period === p);
  const lines = d.compliance.map((c, i) => ({
    label: kindName(c.guaranteeKind).sv,
    color: colours[i % colours.length]!,
    marker: markers[i % markers.length],
    dash: dashes[i % dashes.length],
    values: d.months.map((p) => valueAt(c.series.items, p)?.value ?? null),
  }));
  const svg = lineChart({
    id: 'chart-trend',
    title: 'Andel väntande inom vårdgarantin, hela landet, senaste tolv månaderna',
    desc: `Linjediagram per vårdgarantityp, ${monthSv(d.months[0]!)} till ${monthSv(d.period)}. Samma siffror finns i tabellen under diagrammet.`,
    x: d.months.map((p) => ({ key: p, label: monthShort(p) })),
    series: lines,
    yMin: 0,
    yMax: 1,
    yTicks: [0, 0.2, 0.4, 0.6, 0.8, 1],
    formatY: (v) => `${Math.round(v * 100)} %`,
    target: { value: 0.8, label: 'Mål 80 %' },
  });
  const body = d.months
    .map((p) => `<tr><th scope="row">${esc(monthSv(p))}</th>${d.compliance
      .map((c) => {
        const row = valueAt(c.series.items, p);
        if (!row) return '<td class="num none">ej beräknad</td>';
        return figure(`trend|${c.guaranteeKind}|${p}`, formatShare(row.value), rev.mark(row, `${kindName(c.guaranteeKind).sv}, ${monthSv(p)}`, formatShare));
      })
      .join('')}</tr>`)
    .join('\n');
  const sentences = d.compliance.map((c) => {
    const name = kindName(c.guaranteeKind).sv.toLowerCase();
    const now = valueAt(c.series.items, d.period)?.value ?? null;
    const earliest = d.months.map((p) => valueAt(c.series.items, p)).find((r) => r && r.value !== null && r.period !== d.period);
    if (now === null) return `För ${name} är andelen för ${monthSv(d.period)} dold eller saknas.`;
    if (!earliest || earliest.value === null) return `För ${name} var andelen ${formatShare(now)} i ${monthSv(d.period)}.`;
    const diff = (now - earliest.value) * 100;
    const trend = Math.abs(diff) < 0.5 ? 'i stort sett oförändrad' : diff > 0 ? `${pctFmt.format(diff)} procentenheter högre` : `${pctFmt.format(-diff)} procentenheter lägre`;
    return `För ${name} var andelen ${formatShare(now)} i ${monthSv(d.period)}, ${trend} än i ${monthSv(earliest.period)} (${formatShare(earliest.value)}).`;
  });
  return `<section class="chart" id="trend">${heading(2, 'Vårdgarantin över tid', 'The care guarantee over time')}
<p class="summary">${esc(sentences.join(' '))}</p>
<figure>${svg}<figcaption>${bi('Andel väntande inom vårdgarantin, hela landet. Streckad linje: målet 80 %. Ett avbrott i linjen är en dold siffra.', 'Share of waiting patients within the guarantee, whole country. Dotted line: the 80 % goal. A gap is a hidden figure.')}</figcaption></figure>
<table class="data"><caption>${bi('Tabell till diagrammet', 'Table of the chart')}</caption>
<thead><tr><th scope="col">Månad</th>${d.compliance.map((c) => `<th scope="col">${esc(kindName(c.guaranteeKind).sv)}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody></table>
</section>`;
}

function regionsSection(d: ReportData, rev: Revisions): string {
  const colours = ['#1f5fa8', '#b4531a'];
  const codes = [...new Set(d.regions.flatMap((r) => r.answer.items.map((i) => i.regionCode)))];
  const ordered = [null, ...codes.filter((c): c is string => c !== null).sort()];
  const name = (code: string | null) => (code === null ? 'Hela landet' : (d.regionNames[code] ?? code));
  const rowOf = (kindIndex: number, code: string | null) => d.regions[kindIndex]!.answer.items.find((i) => i.regionCode === code);
  const svg = barChart({
    id: 'chart-regions',
    title: `Andel väntande inom vårdgarantin per region, ${monthSv(d.period)}`,
    desc: 'Liggande staplar per region och vårdgarantityp. Samma siffror finns i tabellen under diagrammet.',
    categories: ordered.map((code) => ({ label: name(code), strong: code === null, values: d.regions.map((_, k) => rowOf(k, code)?.value ?? null) })),
    series: d.regions.map((r, k) => ({ label: kindName(r.guaranteeKind).sv, color: colours[k % colours.length]! })),
    xMax: 1,
    xTicks: [0, 0.2, 0.4, 0.6, 0.8, 1],
    formatX: (v) => (v === 0 || v === 1 || Math.abs(v * 5 - Math.round(v * 5)) < 1e-9 ? `${Math.round(v * 100)} %` : formatShare(v)),
    missingLabel: HIDDEN,
    target: { value: 0.8, label: 'Mål 80 %' },
  });
  const body = ordered
    .map((code) => `<tr${code === null ? ' class="national"' : ''}><th scope="row">${esc(name(code))}</th>${d.regions
      .map((r, k) => {
        const row = rowOf(k, code);
        const counts = row && row.numeratorCount !== null && row.denominatorCount !== null ? `${formatCount(row.numeratorCount)} av ${formatCount(row.denominatorCount)}` : HIDDEN;
        return `${figure(`region|${r.guaranteeKind}|${code ?? ''}`, formatShare(row?.value ?? null), rev.mark(row, `${kindName(r.guaranteeKind).sv}, ${name(code)}`, formatShare))}<td class="num counts">${esc(counts)}</td>`;
      })
      .join('')}</tr>`)
    .join('\n');
  const sentences = d.regions.map((r) => {
    const rows = r.answer.items.filter((i) => i.regionCode !== null && i.value !== null);
    const kind = kindName(r.guaranteeKind).sv.toLowerCase();
    if (rows.length === 0) return `För ${kind} är alla regioners andelar dolda eller saknas.`;
    const met = rows.filter((i) => i.value! >= 0.8).length;
    const sorted = [...rows].sort((a, b) => b.value! - a.value!);
    const hi = sorted[0]!;
    const lo = sorted[sorted.length - 1]!;
    return `För ${kind} nådde ${met} av ${rows.length} regioner med visad siffra 80 %; högst ${name(hi.regionCode)} (${formatShare(hi.value)}), lägst ${name(lo.regionCode)} (${formatShare(lo.value)}).`;
  });
  return `<section class="chart" id="regioner">${heading(2, 'Regionerna jämförda', 'The regions compared')}
<p class="summary">${esc(sentences.join(' '))}</p>
<figure>${svg}<figcaption>${bi('Andel väntande inom vårdgarantin per region (rapporterande region). Streckad linje: målet 80 %. “–”: dold siffra.', 'Share of waiting patients within the guarantee by reporting region. Dotted line: the 80 % goal. “–”: hidden figure.')}</figcaption></figure>
<table class="data compact page-start"><caption>${bi('Tabell till diagrammet: andel inom vårdgarantin och antal inom av antal väntande', 'Table of the chart: share within the guarantee, and within / waiting')}</caption>
<thead><tr><th scope="col">Region</th>${d.regions.map((r) => `<th scope="col" colspan="2">${esc(kindName(r.guaranteeKind).sv)}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody></table>
</section>`;
}

function dataQualitySection(d: ReportData): string {
  const regions = d.dataQuality.regions;
  const late = regions.filter((r) => !r.waitingListOnTime);
  const rejected = regions.filter((r) => r.rejectedSubmissions > 0);
  const stale = regions.filter((r) => r.staleUnits.length > 0 || (r.freshCapacityShare !== null && r.freshCapacityShare < 1));
  const deadline = `20 ${monthSv(nextMonth(d.period))}`;
  const notes: string[] = [];
  notes.push(
    late.length === 0
      ? `<li>Alla ${regions.length} regioner lämnade väntelistedata för ${esc(monthSv(d.period))} i tid (senast ${esc(deadline)}).</li>`
      : `<li><strong>${late.length} av ${regions.length} regioner</strong> lämnade inte väntelistedata i tid (senast ${esc(deadline)}), eller inte alls: ${esc(late.map((r) => r.regionName).join(', '))}. Deras siffror för månaden kan vara ofullständiga eller inaktuella. <span class="en" lang="en">${late.length} regions did not submit waiting-list data on time, or at all; their figures may be incomplete or out of date.</span></li>`,
  );
  notes.push(
    rejected.length === 0
      ? '<li>Inga inlämningar av väntelistedata avvisades under månaden.</li>'
      : `<li><strong>Avvisade inlämningar</strong> under månaden: ${esc(rejected.map((r) => `${r.regionName} ${r.rejectedSubmissions} (${formatCount(r.rowErrors)} fel)`).join(', '))}. En avvisad fil tillämpas inte alls. <span class="en" lang="en">Rejected submissions in the month; a rejected file is not applied at all.</span></li>`,
  );
  const totalStale = stale.reduce((s, r) => s + r.staleUnits.length, 0);
  notes.push(
    stale.length === 0
      ? '<li>Alla enheter som ska rapportera kapacitet hade en aktuell rapport (högst 42 dagar gammal) vid månadens slut.</li>'
      : `<li><strong>${totalStale} enheter i ${stale.length} regioner</strong> saknade en aktuell kapacitetsrapport (högst 42 dagar gammal) vid månadens slut. <span class="en" lang="en">${totalStale} units in ${stale.length} regions had no fresh capacity report at the end of the month.</span>${staleList(stale)}</li>`,
  );
  const table = regions
    .map((r) => `<tr><th scope="row">${esc(r.regionName)}</th><td class="nowrap ${r.waitingListOnTime ? 'ok' : 'bad'}">${r.waitingListOnTime ? `Ja, ${esc(day(r.firstSubmissionOn))}` : 'Nej'}</td><td class="num">${r.appliedSubmissions}</td><td class="num${r.rejectedSubmissions > 0 ? ' bad' : ''}">${r.rejectedSubmissions}</td><td class="num">${formatCount(r.rowErrors)}</td><td class="num${r.freshCapacityShare !== null && r.freshCapacityShare < 1 ? ' bad' : ''}">${r.unitsWithFreshCapacityReport} av ${r.unitsExpectedToReport}</td><td class="num">${r.connectedSystems}</td></tr>`)
    .join('\n');
  return `<section class="quality" id="datakvalitet">${heading(2, 'Datakvalitet', 'Data quality')}
<ul class="notes">${notes.join('\n')}</ul>
<table class="data compact page-start"><caption>${bi('Regionernas rapportering', 'Reporting by region')}</caption>
<thead><tr><th scope="col">Region</th><th scope="col">Väntelista i tid<span class="sub" lang="en">On time</span></th><th scope="col">Godkända filer<span class="sub" lang="en">Applied</span></th><th scope="col">Avvisade filer<span class="sub" lang="en">Rejected</span></th><th scope="col">Fel<span class="sub" lang="en">Errors</span></th><th scope="col">Enheter med aktuell kapacitet<span class="sub" lang="en">Units with a fresh report</span></th><th scope="col">Anslutna system<span class="sub" lang="en">Systems</span></th></tr></thead>
<tbody>
${table}
</tbody></table>
</section>`;
}

function staleList(stale: DataQualityRegion[]): string {
  const items = stale.map((r) => {
    const shown = r.staleUnits.slice(0, 3).map((u) => `${u.unitName} (${u.lastValidFrom ? `senast ${u.lastValidFrom}` : 'aldrig'})`);
    const more = r.staleUnits.length > 3 ? ` och ${r.staleUnits.length - 3} till` : '';
    return `<li>${esc(r.regionName)}: ${r.unitsWithFreshCapacityReport} av ${r.unitsExpectedToReport} aktuella${shown.length ? ` — ${esc(shown.join(', '))}${esc(more)}` : ''}</li>`;
  });
  return `<ul class="stale">${items.join('')}</ul>`;
}

function nextMonth(p: string): string {
  const y = Number(p.slice(0, 4));
  const m = Number(p.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

function sourcesSection(d: ReportData, rev: Revisions): string {
  const revNotes = rev.notes.length
    ? `<ul class="revisions">${rev.notes.map((n) => `<li><sup class="rev">r</sup> ${esc(n.label)}: reviderad <span lang="en">revised</span> ${esc(n.revisedAt)}; först publicerat <span lang="en">first published</span> ${esc(n.first)}</li>`).join('')}</ul>`
    : '<p>Inga siffror i rapporten är reviderade. <span class="en" lang="en">No figure in this report has been revised.</span></p>';
  return `<section class="sources" id="kallor">${heading(2, 'Teckenförklaring, källor och definitioner', 'Key, sources and definitions')}
<dl class="key">
<dt>${HIDDEN}</dt><dd>Siffran är dold för att ingen enskild person ska kunna kännas igen (antal 1–4 och siffror som skulle avslöja dem). Det betyder inte noll. <span class="en" lang="en">Hidden so that no individual can be recognised (counts of 1–4 and figures that would reveal them); it does not mean zero.</span></dd>
<dt><sup class="rev">r</sup></dt><dd>Reviderad: månaden har räknats om sedan den först publicerades, till exempel efter en sen inlämning. Den först publicerade siffran anges nedan. <span class="en" lang="en">Revised: the month was recomputed after it was first published; the first published figure is given below.</span></dd>
</dl>
${heading(3, 'Reviderade siffror', 'Revised figures')}
${revNotes}
${heading(3, 'Källor och definitioner', 'Sources and definitions')}
<p>Varje indikator definieras i <code>docs/indicators.md</code> (definitionsversion ${d.definitionVersion}): täljare, nämnare, undantag, region, röjandekontroll och revideringar. Metoden för röjandekontroll finns i <code>docs/methods/disclosure-control.md</code>. Siffrorna är desamma som i <code>/api/v1/stats</code>, <code>/api/v1/follow-up</code> och den öppna datan. Uppgifterna kommer från plattformens egen databas: regionernas väntelistor, enheternas kapacitetsrapporter och förmedlingsärendena.</p>
<p class="en" lang="en">Every indicator is defined in docs/indicators.md (definition version ${d.definitionVersion}); the disclosure-control method in docs/methods/disclosure-control.md. The figures are those of the statistics API and the open data, from the platform's own database.</p>
<p>Väntetider och andelar inom vårdgarantin visas i ${esc((VIEW[d.view] ?? { sv: d.view }).sv.charAt(0).toLowerCase() + (VIEW[d.view] ?? { sv: d.view }).sv.slice(1))}. Väntande räknas per rapporterande region, förmedlingsärenden per patientens hemregion och förfrågningar per mottagande region.</p>
${d.synthetic ? '<p class="demo small"><strong>Demodata — syntetiska uppgifter.</strong> <span lang="en">Demo data — synthetic.</span></p>' : ''}
</section>`;
}

// ---------------------------------------------------------------------------------------------------- document

const CSS = `
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
  @bottom-left { content: "Nationell vårdförmedling · Månadsrapport __PERIOD__"; font: 8pt "DejaVu Sans", Arial, sans-serif; color: #555; }
  @bottom-right { content: "Sida " counter(page) " av " counter(pages); font: 8pt "DejaVu Sans", Arial, sans-serif; color: #555; } }
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.4 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1a1a1a; margin: 0 auto; max-width: 190mm; padding: 8mm; background: #fff; }
h1 { font-size: 20pt; margin: 1mm 0 2mm; line-height: 1.15; }
h2 { font-size: 15pt; margin: 0 0 3mm; border-bottom: 2px solid #1f5fa8; padding-bottom: 1mm; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; }
.sub { display: block; font-size: 0.62em; font-weight: normal; color: #555; margin-top: 0.5mm; }
h1 .sub { font-size: 0.55em; }
.en { color: #555; font-size: 0.9em; }
td .en, th .en { display: block; font-size: 0.82em; font-weight: normal; }
.org { font-weight: bold; color: #1f5fa8; margin: 0; }
.for { margin: 0 0 3mm; }
.demo { background: #fff4ce; border: 2px solid #8a6d00; padding: 2.5mm 3.5mm; border-radius: 2mm; }
.meta { font-size: 9pt; margin: 3mm 0; } .meta th { width: 42mm; } .meta th, .meta td { border: none; padding: 0.5mm 1.5mm 0.5mm 0; }
.meta th .en { display: inline; } .meta td .en { display: inline; }
.summary { font-size: 11pt; background: #eef3fa; border-left: 4px solid #1f5fa8; padding: 2mm 3.5mm; }
.summary.small { font-size: 9.5pt; }
table { border-collapse: collapse; width: 100%; margin: 3mm 0 4mm; font-size: 9.5pt; }
caption { text-align: left; font-weight: bold; padding-bottom: 1.5mm; caption-side: top; }
caption .en { font-weight: normal; }
th, td { border-bottom: 1px solid #ccc; padding: 1.2mm 1.8mm; vertical-align: top; text-align: left; }
thead th { border-bottom: 2px solid #555; vertical-align: bottom; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.hidden { color: #333; }
td.none { color: #777; font-style: italic; }
td.note { color: #555; font-size: 8.5pt; }
td.counts { color: #555; font-size: 8.5pt; }
.figures td.num { font-size: 10.5pt; font-weight: bold; }
.figures th, .figures td { padding: 0.8mm 1.8mm; } .figures th[scope=row] { width: 44%; } .figures thead th { width: 18.6%; }
.figures.brokering td.note { width: 30%; }
.nowrap { white-space: nowrap; }
sup.rev { font-size: 0.7em; font-weight: bold; color: #8a3a00; margin-left: 0.6mm; }
tr.national th, tr.national td { font-weight: bold; background: #f3f3f3; }
table.compact { font-size: 8.5pt; } table.compact th[scope=row], .scorecard-table th[scope=row] { white-space: nowrap; } table.compact th, table.compact td { padding: 0.6mm 1.5mm; }
.scorecard-table { font-size: 8.5pt; } .scorecard-table th, .scorecard-table td { padding: 0.7mm 1.5mm; }
td.status { white-space: nowrap; }
.status.met { background: #dcefe0; color: #14532d; }
.status.not_met { background: #f9dede; color: #7f1d1d; }
.status.not_assessed { background: #ececec; color: #404040; }
.legend .status { padding: 0.3mm 1.5mm; border-radius: 1mm; }
td.status .val { font-size: 0.9em; }
td.status .sign { font-weight: bold; }
ol.goals { padding-left: 6mm; font-size: 9.5pt; } ol.goals li { margin-bottom: 1mm; list-style: none; } .due { color: #555; font-size: 0.9em; }
.legend { font-size: 8.5pt; }
figure { margin: 2mm 0; } figure svg { max-width: 100%; height: auto; display: block; } figcaption { font-size: 8.5pt; color: #333; margin-top: 1mm; }
.notes li { margin-bottom: 2mm; } .stale { font-size: 8.5pt; margin-top: 1mm; }
td.ok { color: #14532d; } td.bad, td.num.bad { color: #7f1d1d; font-weight: bold; }
.toc-h { border: none; margin-top: 6mm; font-size: 12pt; } .toc ol { margin: 0; padding-left: 6mm; } .toc li { margin-bottom: 1mm; } .toc a { color: #1f5fa8; }
.key dt { font-weight: bold; float: left; width: 6mm; } .key dd { margin: 0 0 2mm 8mm; }
.revisions { font-size: 9pt; } code { font-size: 0.95em; }
section { margin-top: 8mm; }
@media print {
  body { max-width: none; padding: 0; }
  section { break-before: page; margin-top: 0; }
  .page-start { break-before: page; }
  tr, figure, .notes li { break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3, caption { break-after: avoid; }
  .summary, .status, .demo, tr.national th, tr.national td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/** The whole report as one HTML document (UTF-8, no external resources). */
export function renderReportHtml(d: ReportData): string {
  const rev = new Revisions();
  // Sections are rendered in order, so the revision footnotes (last section) collect every "r" shown before them.
  const parts = [cover(d), headline(d, rev), scorecardSection(d), complianceSection(d, rev), regionsSection(d, rev), dataQualitySection(d)];
  parts.push(sourcesSection(d, rev));
  return `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Månadsrapport ${esc(monthSv(d.period))} — Nationell vårdförmedling${d.synthetic ? ' (demodata)' : ''}</title>
<meta name="generator" content="nvf report monthly">
<style>${CSS.replace('__PERIOD__', d.period)}</style>
</head>
<body data-period="${esc(d.period)}" data-synthetic="${d.synthetic}">
<main>
${parts.join('\n')}
</main>
</body>
</html>
`;
}
