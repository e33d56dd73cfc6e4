import type { ReactNode } from 'react';
import { Alert, Button, Spinner } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { csvHref, toCsv, type CsvCell } from './csv.js';
import { isoDate } from './format.js';

/** Anchors of the explanations at the foot of the statistics page. */
export const HIDDEN_ID = 'om-dolda-siffror';
export const REVISED_ID = 'om-reviderade-siffror';

/** A hidden (suppressed) figure: "–" linking to why. Not zero. */
export function Hidden() {
  const { t } = useI18n();
  return (
    <a href={`#${HIDDEN_ID}`} aria-label={t.stats.hidden} title={t.stats.hidden} data-testid="hidden-figure">
      –
    </a>
  );
}

/** A figure that is null: hidden when suppressed (a link to why), otherwise simply missing. */
export function Missing({ suppressed }: { suppressed: boolean }) {
  const { t } = useI18n();
  return suppressed ? <Hidden /> : <span title={t.stats.missingLong}>{t.stats.missing}</span>;
}

/** The revision mark "r" after a revised figure, with its date; links to the explanation. */
export function Revised({ revision, revisedAt }: { revision: number; revisedAt: string | null }) {
  const { t } = useI18n();
  if (revision <= 1) return null;
  const label = t.stats.revised(isoDate(revisedAt));
  return (
    <>
      {' '}
      <a href={`#${REVISED_ID}`} className="stat-revised" aria-label={label} title={label} data-testid="revised-mark">
        r
      </a>
    </>
  );
}

/** A figure or its placeholder, with the revision mark. */
export function Figure({ value, format, suppressed, revision = 1, revisedAt = null }: { value: number | null | undefined; format: (n: number) => string; suppressed: boolean; revision?: number; revisedAt?: string | null }) {
  return (
    <>
      {value === null || value === undefined ? (
        <Missing suppressed={suppressed} />
      ) : (
        <>
          {format(value)}
          <Revised revision={revision} revisedAt={revisedAt} />
        </>
      )}
    </>
  );
}

/** "r = reviderad YYYY-MM-DD" under a table or figure block, once per distinct date. */
export function RevisionFootnote({ rows }: { rows: { revision: number; revisedAt: string | null }[] }) {
  const { t } = useI18n();
  const dates = [...new Set(rows.filter((r) => r.revision > 1).map((r) => isoDate(r.revisedAt)))].sort();
  if (dates.length === 0) return null;
  return (
    <p className="hint stat-footnote" data-testid="revision-footnote">
      {dates.map((d) => t.stats.revisedFootnote(d)).join('; ')}
    </p>
  );
}

/** "Ladda ner data (CSV)": the shown table as a spreadsheet-safe CSV file. */
export function DownloadCsv({ filename, header, rows, describedBy }: { filename: string; header: string[]; rows: CsvCell[][]; describedBy?: string }) {
  const { t } = useI18n();
  return (
    <a className="stat-download" href={csvHref(toCsv(header, rows))} download={filename} aria-describedby={describedBy} data-testid="download-csv">
      {t.stats.download}
    </a>
  );
}

/** The label on figures built from demo data. */
export function SyntheticTag() {
  const { t } = useI18n();
  return (
    <span className="tag-synthetic" title={t.stats.syntheticText} data-testid="synthetic-tag">
      {t.stats.synthetic}
    </span>
  );
}

/** One figure card of the headline: what it is, the value, an optional help text. */
export function KeyFigure({ label, value, help, testId }: { label: string; value: ReactNode; help?: ReactNode; testId?: string }) {
  return (
    <div className="stat-figure" data-testid={testId}>
      <dt className="stat-figure__label">{label}</dt>
      <dd className="stat-figure__value">{value}</dd>
      {help && <dd className="hint stat-figure__help">{help}</dd>}
    </div>
  );
}

/** The loading, empty and error states of one section's answer; null when the answer is ready. */
export function AnswerStatus({ state, onRetry, empty }: { state: 'idle' | 'loading' | 'ready' | 'empty' | 'error'; onRetry: () => void; empty?: string }) {
  const { t } = useI18n();
  if (state === 'loading')
    return (
      <p role="status" className="results__status">
        <Spinner aria-hidden="true" data-size="sm" /> {t.stats.loading}
      </p>
    );
  if (state === 'error')
    return (
      <Alert data-color="danger">
        {t.stats.error}{' '}
        <Button variant="secondary" data-size="sm" onClick={onRetry}>
          {t.stats.retry}
        </Button>
      </Alert>
    );
  if (state === 'empty') return <Alert data-color="info">{empty ?? t.stats.empty}</Alert>;
  return null;
}
