import { Heading, Paragraph, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { api } from '../api.js';
import { ScrollArea } from '../components/ScrollArea.js';
import { PageTitle } from '../components/PageTitle.js';
import { AnswerStatus } from '../components/stats/common.js';
import { useAnswer } from '../components/stats/useAnswer.js';

/** How many of the newest anchors the page shows. */
const ANCHORS_SHOWN = 7;

/** About the service, with the data sources and their licences (GeoNames CC BY 4.0 must be credited). */
export function AboutPage() {
  const { t } = useI18n();
  const a = t.about;
  return (
    <>
      <PageTitle title={a.title}>{a.title}</PageTitle>
      <Paragraph data-size="lg" className="lead">
        {a.lead}
      </Paragraph>
      <section className="section" aria-labelledby="who-heading">
        <Heading level={2} data-size="md" id="who-heading">
          {a.whoHeading}
        </Heading>
        <Paragraph>{a.whoText}</Paragraph>
      </section>
      <section className="section" aria-labelledby="kallor" >
        <Heading level={2} data-size="md" id="kallor" tabIndex={-1}>
          {a.sourcesHeading}
        </Heading>
        <ScrollArea label={a.sourcesCaption}>
          <Table border>
            <caption>{a.sourcesCaption}</caption>
            <Table.Head>
              <Table.Row>
                <Table.HeaderCell scope="col">{a.colData}</Table.HeaderCell>
                <Table.HeaderCell scope="col">{a.colSource}</Table.HeaderCell>
                <Table.HeaderCell scope="col">{a.colLicence}</Table.HeaderCell>
              </Table.Row>
            </Table.Head>
            <Table.Body>
              {a.sources.map((s) => (
                <Table.Row key={s.data}>
                  <Table.HeaderCell scope="row">{s.data}</Table.HeaderCell>
                  <Table.Cell>
                    {s.href ? (
                      <a href={s.href} className="ds-link" rel="noopener noreferrer">
                        {s.source}
                      </a>
                    ) : (
                      s.source
                    )}
                  </Table.Cell>
                  <Table.Cell>{s.licence}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </ScrollArea>
      </section>
      <section className="section" aria-labelledby="demo-heading">
        <Heading level={2} data-size="md" id="demo-heading">
          {a.demoHeading}
        </Heading>
        <Paragraph>{a.demoText}</Paragraph>
      </section>
      <section className="section" aria-labelledby="a11y-heading">
        <Heading level={2} data-size="md" id="a11y-heading">
          {a.accessibilityHeading}
        </Heading>
        <Paragraph>{a.accessibilityText}</Paragraph>
      </section>
      <AuditAnchorsSection />
      <section className="section" aria-labelledby="api-heading">
        <Heading level={2} data-size="md" id="api-heading">
          {a.apiHeading}
        </Heading>
        <Paragraph>{a.apiText}</Paragraph>
        <Paragraph>
          <a href="/api/docs" className="ds-link">
            {a.apiLink}
          </a>
        </Paragraph>
      </section>
    </>
  );
}

/** The audit log's published daily anchors (ADR 0017): the newest week, with a link to all of them. */
function AuditAnchorsSection() {
  const { t, formatNumber, formatDate } = useI18n();
  const a = t.about;
  const { state: asked, data: answer, retry } = useAnswer('anchors', (signal) => api.auditAnchors(ANCHORS_SHOWN, signal));
  const state = asked === 'ready' && answer?.items.length === 0 ? 'empty' : asked;
  return (
    <section className="section" aria-labelledby="granskningslogg">
      <Heading level={2} data-size="md" id="granskningslogg" tabIndex={-1}>
        {a.auditHeading}
      </Heading>
      <Paragraph>{a.auditText}</Paragraph>
      {state !== 'ready' && <AnswerStatus state={state} onRetry={retry} empty={a.auditEmpty} />}
      {state === 'ready' && answer && (
        <ScrollArea label={a.auditCaption}>
          <Table border data-size="sm" data-testid="audit-anchors">
            <caption>{a.auditCaption}</caption>
            <Table.Head>
              <Table.Row>
                <Table.HeaderCell scope="col">{a.colDay}</Table.HeaderCell>
                <Table.HeaderCell scope="col">{a.colDigest}</Table.HeaderCell>
                <Table.HeaderCell scope="col">{a.colEvents}</Table.HeaderCell>
              </Table.Row>
            </Table.Head>
            <Table.Body>
              {answer.items.map((x) => (
                <Table.Row key={x.day}>
                  <Table.HeaderCell scope="row">
                    <time dateTime={x.day}>{formatDate(x.day)}</time>
                  </Table.HeaderCell>
                  <Table.Cell>
                    <code className="digest">{x.digest}</code>
                  </Table.Cell>
                  <Table.Cell className="num">{formatNumber(x.events)}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </ScrollArea>
      )}
      <Paragraph>
        <a href="/api/v1/audit/anchors?limit=366" className="ds-link" data-testid="audit-anchors-all">
          {a.auditAll}
        </a>
      </Paragraph>
    </section>
  );
}
