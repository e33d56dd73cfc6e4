import { Heading, Paragraph, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { ScrollArea } from '../ScrollArea.js';
import { DownloadCsv, Figure, KeyFigure, RevisionFootnote, SyntheticTag } from './common.js';
import { decimalFormatter, isoDate, percentFormatter } from './format.js';
import type { BrokeringAnswer } from './types.js';

/** 'completed:treated' → 'Genomförd: patienten fick behandling'. */
export function endingLabel(ending: string, t: ReturnType<typeof useI18n>['t']): string {
  const [kind = '', reason = ''] = ending.split(':');
  const k = t.stats.endings[kind] ?? kind;
  return reason ? `${k}: ${t.stats.endingReasons[reason] ?? reason}` : k;
}

/** "Vårdförmedling": GET /stats/brokering as figure cards and the outcome distribution as a table. */
export function BrokeringSection({ answer, place, placeIn, periodLabel, regional }: { answer: BrokeringAnswer; place: string; placeIn: string; periodLabel: string; regional: boolean }) {
  const { t, lang, locale, formatNumber } = useI18n();
  const s = t.stats;
  const pct = percentFormatter(locale);
  const dec = decimalFormatter(locale);
  const rev = { revision: answer.revision, revisedAt: answer.revisedAt };
  const f = (v: number | null, fmt: (n: number) => string) => <Figure value={v} format={fmt} suppressed={answer.suppressed} {...rev} />;
  const n = (v: number | null) => (v === null ? '–' : formatNumber(v));
  const outcomesCaption = s.outcomesCaption(place, periodLabel);
  const outcomes = answer.outcomes;
  return (
    <section aria-labelledby="brokering-heading" className="stat-section" data-testid="brokering">
      <Heading level={2} data-size="md" id="brokering-heading">
        {s.brokeringHeading}
      </Heading>
      <p className="hint">
        {s.brokeringCaption(placeIn, periodLabel)}
        {answer.synthetic && (
          <>
            {' · '}
            <SyntheticTag />
          </>
        )}
      </p>
      <Paragraph>{s.brokeringLead}</Paragraph>
      <Paragraph className="stat-summary" data-testid="brokering-summary">
        {answer.summary[lang]}
      </Paragraph>
      <dl className="stat-figures stat-figures--wide">
        <KeyFigure label={s.casesOpened} value={f(answer.casesOpenedCount, formatNumber)} testId="fig-cases-opened" />
        <KeyFigure label={s.requestsSent} value={f(answer.requestsSentCount, formatNumber)} testId="fig-requests-sent" />
        <KeyFigure
          label={s.answeredInTime}
          value={f(answer.answeredInTimeShare, pct)}
          help={answer.requestsDueCount !== null && answer.requestsAnsweredInTimeCount !== null ? s.answeredInTimeHelp(n(answer.requestsAnsweredInTimeCount), n(answer.requestsDueCount)) : undefined}
          testId="fig-answered-in-time"
        />
        <KeyFigure
          label={s.acceptanceRate}
          value={f(answer.acceptanceRate, pct)}
          help={answer.acceptedCount !== null && answer.decidedCount !== null ? s.acceptanceHelp(n(answer.acceptedCount), n(answer.decidedCount)) : undefined}
          testId="fig-acceptance"
        />
        <KeyFigure label={s.medianResponse} value={f(answer.medianResponseHours, dec)} testId="fig-response" />
        <KeyFigure label={s.chosen} value={f(answer.casesChosenCount, formatNumber)} testId="fig-chosen" />
        <KeyFigure label={s.completed} value={f(answer.casesCompletedCount, formatNumber)} testId="fig-completed" />
        <KeyFigure
          label={s.daysSaved}
          value={f(answer.medianDaysSaved, dec)}
          help={answer.daysSavedBasisCount !== null ? s.daysSavedHelp(n(answer.daysSavedBasisCount)) : undefined}
          testId="fig-days-saved"
        />
        <KeyFigure label={s.travel} value={f(answer.medianTravelDistanceKm, dec)} testId="fig-travel" />
      </dl>
      <RevisionFootnote rows={[rev]} />
      {regional && <p className="hint">{s.receivingNote}</p>}
      <Heading level={3} data-size="sm" id="outcomes-heading">
        {s.outcomesHeading}
      </Heading>
      {outcomes.length === 0 ? (
        <Paragraph>{s.outcomesEmpty}</Paragraph>
      ) : (
        <ScrollArea label={outcomesCaption}>
          <Table data-size="sm" zebra border data-testid="outcomes-table">
            <caption>{outcomesCaption}</caption>
            <Table.Head>
              <Table.Row>
                <Table.HeaderCell scope="col">{s.colEnding}</Table.HeaderCell>
                <Table.HeaderCell scope="col" className="num">{s.colCases}</Table.HeaderCell>
              </Table.Row>
            </Table.Head>
            <Table.Body>
              {outcomes.map((o) => (
                <Table.Row key={o.ending}>
                  <Table.HeaderCell scope="row">{endingLabel(o.ending, t)}</Table.HeaderCell>
                  <Table.Cell className="num">
                    <Figure value={o.casesCount} format={formatNumber} suppressed={o.casesCount === null} />
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </ScrollArea>
      )}
      <DownloadCsv
        filename={`vardformedling-${answer.regionCode ?? 'riket'}-${answer.period}.csv`}
        header={['period', 'region_code', 'figure', 'value', 'suppressed', 'revision', 'revised_at']}
        rows={[
          ...(
            [
              ['cases_opened_count', answer.casesOpenedCount],
              ['requests_sent_count', answer.requestsSentCount],
              ['requests_due_count', answer.requestsDueCount],
              ['requests_answered_in_time_count', answer.requestsAnsweredInTimeCount],
              ['requests_answered_in_time_share', answer.answeredInTimeShare],
              ['requests_decided_count', answer.decidedCount],
              ['requests_accepted_count', answer.acceptedCount],
              ['acceptance_rate', answer.acceptanceRate],
              ['median_response_hours', answer.medianResponseHours],
              ['cases_chosen_count', answer.casesChosenCount],
              ['cases_completed_count', answer.casesCompletedCount],
              ['median_days_saved', answer.medianDaysSaved],
              ['days_saved_basis_count', answer.daysSavedBasisCount],
              ['median_travel_distance_km', answer.medianTravelDistanceKm],
            ] as const
          ).map(([id, v]) => [answer.period, answer.regionCode ?? '', id, v, v === null && answer.suppressed, answer.revision, isoDate(answer.revisedAt)]),
          ...outcomes.map((o) => [answer.period, answer.regionCode ?? '', `cases_ended_count:${o.ending}`, o.casesCount, o.casesCount === null, answer.revision, isoDate(answer.revisedAt)]),
        ]}
      />
    </section>
  );
}
