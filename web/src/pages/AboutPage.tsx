import { Heading, Paragraph, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { ScrollArea } from '../components/ScrollArea.js';
import { PageTitle } from '../components/PageTitle.js';

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
