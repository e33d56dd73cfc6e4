import { Card, Heading, Paragraph, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import { PageTitle } from '../components/PageTitle.js';

/** What the service is, the guarantee's limits in plain words, and where to go next. */
export function StartPage() {
  const { t } = useI18n();
  const s = t.start;
  return (
    <>
      <PageTitle title={t.nav.start}>{s.title}</PageTitle>
      <Paragraph data-size="lg" className="lead">
        {s.lead}
      </Paragraph>

      <section aria-labelledby="guarantee-heading" className="section">
        <Heading level={2} data-size="md" id="guarantee-heading">
          {s.guaranteeHeading}
        </Heading>
        <Table border className="guarantee-table">
          <caption>{s.guaranteeCaption}</caption>
          <Table.Head>
            <Table.Row>
              <Table.HeaderCell scope="col">{s.colWhat}</Table.HeaderCell>
              <Table.HeaderCell scope="col">{s.colLimit}</Table.HeaderCell>
            </Table.Row>
          </Table.Head>
          <Table.Body>
            {s.rows.map((r) => (
              <Table.Row key={r.what}>
                <Table.HeaderCell scope="row">{r.what}</Table.HeaderCell>
                <Table.Cell>{r.limit}</Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </section>

      <div className="card-grid section">
        <Card data-color="brand1" variant="tinted">
          <Heading level={2} data-size="sm">
            {s.directoryHeading}
          </Heading>
          <Paragraph>{s.directoryText}</Paragraph>
          <Paragraph>
            <Link href="/hitta-vard" className="ds-link">
              {s.directoryLink}
            </Link>
          </Paragraph>
        </Card>
        <Card variant="tinted">
          <Heading level={2} data-size="sm">
            {s.developersHeading}
          </Heading>
          <Paragraph>{s.developersText}</Paragraph>
          <Paragraph>
            <a href="/api/docs" className="ds-link">
              {s.apiLink}
            </a>
          </Paragraph>
        </Card>
      </div>

      <section aria-labelledby="rights-heading" className="section">
        <Heading level={2} data-size="md" id="rights-heading">
          {s.rightsHeading}
        </Heading>
        <ul className="rights">
          {s.rights.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
        <p className="cta-row">
          <Link href="/be-om-vard" className="ds-button" data-variant="primary">
            {s.askLink}
          </Link>
          <Link href="/dina-rattigheter" className="ds-link">
            {s.rightsLink}
          </Link>
        </p>
      </section>
    </>
  );
}
