import { Heading, Paragraph, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import { PageTitle } from '../components/PageTitle.js';
import { ScrollArea } from '../components/ScrollArea.js';
import { AnswerStatus, SyntheticTag } from '../components/stats/common.js';
import { statsApi } from '../components/stats/api.js';
import { useAnswer } from '../components/stats/useAnswer.js';
import type { OpenDataset } from '../components/stats/types.js';
import './statistics.css';

/** "Öppna data": every dataset of GET /api/v1/open-data with its licence, view and links to CSV, JSON and dictionary. */
export function OpenDataPage() {
  const { t, lang } = useI18n();
  const o = t.openData;
  const { state: asked, data: answer, retry } = useAnswer('open-data', (signal) => statsApi.openData(signal));
  const state = asked === 'ready' && answer?.items.length === 0 ? 'empty' : asked;

  return (
    <>
      <PageTitle title={o.title}>{o.title}</PageTitle>
      <Paragraph className="lead">{o.lead}</Paragraph>
      <section aria-labelledby="od-how-heading" className="stat-section">
        <Heading level={2} data-size="sm" id="od-how-heading">
          {o.howHeading}
        </Heading>
        <ul className="rights">
          {o.how.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        {answer && (
          <Paragraph>
            {o.licenceText}{' '}
            <a href={answer.licence.url} data-testid="licence-link">
              {answer.licence.name}
            </a>
            .
          </Paragraph>
        )}
        <Paragraph>
          <Link href={lang === 'sv' ? '/statistik' : '/statistics'}>{o.statsLink}</Link>
        </Paragraph>
      </section>

      <section aria-labelledby="od-datasets-heading" className="stat-section">
        <Heading level={2} data-size="md" id="od-datasets-heading">
          {o.datasetsHeading}
        </Heading>
        {state !== 'ready' && <AnswerStatus state={state} onRetry={retry} empty={o.empty} />}
        {state === 'ready' && answer && (
          <ul className="dataset-list" data-testid="datasets">
            {answer.items.map((d) => (
              <Dataset key={d.id} d={d} licenceName={answer.licence.name} synthetic={answer.synthetic} />
            ))}
          </ul>
        )}
        {answer?.changelogUrl && !answer.changelogUrl.startsWith('/oppen-data') && (
          <Paragraph>
            <a href={answer.changelogUrl} data-testid="changelog-link">
              {o.changelog}
            </a>
          </Paragraph>
        )}
        <Paragraph>
          {o.apiText} <a href="/api/docs">{o.apiLink}</a>
        </Paragraph>
      </section>

      <section aria-labelledby="andringslogg" className="stat-section">
        <Heading level={2} data-size="sm" id="andringslogg" tabIndex={-1}>
          {o.changelogHeading}
        </Heading>
        <ScrollArea label={o.changelogCaption}>
          <Table data-size="sm" zebra border data-testid="changelog">
            <caption>{o.changelogCaption}</caption>
            <Table.Head>
              <Table.Row>
                <Table.HeaderCell scope="col">{o.colVersion}</Table.HeaderCell>
                <Table.HeaderCell scope="col">{o.colDate}</Table.HeaderCell>
                <Table.HeaderCell scope="col">{o.colChange}</Table.HeaderCell>
              </Table.Row>
            </Table.Head>
            <Table.Body>
              {o.changelogRows.map((r) => (
                <Table.Row key={r.version}>
                  <Table.HeaderCell scope="row">{r.version}</Table.HeaderCell>
                  <Table.Cell>{r.date}</Table.Cell>
                  <Table.Cell>{r.change}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </ScrollArea>
      </section>
    </>
  );
}

function Dataset({ d, licenceName, synthetic }: { d: OpenDataset; licenceName: string; synthetic: boolean }) {
  const { t, lang, formatDate } = useI18n();
  const o = t.openData;
  const title = d.title[lang];
  // The reader's language where the web has the text; otherwise the API's own (English) description, marked as such.
  const own = o.descriptions[d.id];
  const description = own ?? d.description;
  const descriptionLang = own ? undefined : 'en';
  const licence = d.licence.name;
  return (
    <li className="dataset" data-testid={`dataset-${d.id}`}>
      <Heading level={3} data-size="xs" id={`dataset-${d.id}`}>
        {title}
        {synthetic && (
          <>
            {' '}
            <SyntheticTag />
          </>
        )}
      </Heading>
      {description && (
        <Paragraph data-size="sm" lang={descriptionLang}>
          {description}
        </Paragraph>
      )}
      <dl>
        <dt>{o.licence}</dt>
        <dd>{licence || licenceName}</dd>
        <dt>{o.view}</dt>
        <dd>{d.view ? (o.views[d.view] ?? d.view) : o.viewBoth}</dd>
        <dt>{o.updated}</dt>
        <dd>{d.updatedAt ? formatDate(d.updatedAt) : o.notUpdated}</dd>
      </dl>
      <ul className="dataset__links" aria-label={`${o.downloads}: ${title}`}>
        <li>
          <a href={d.links.csv} aria-label={o.linkLabel(o.csv, title)} data-format="csv">
            {o.csv}
          </a>
        </li>
        <li>
          <a href={d.links.json} aria-label={o.linkLabel(o.json, title)} data-format="json">
            {o.json}
          </a>
        </li>
        <li>
          <a href={d.links.dictionary} aria-label={o.linkLabel(o.dictionary, title)} data-format="dictionary">
            {o.dictionary}
          </a>
        </li>
      </ul>
    </li>
  );
}
