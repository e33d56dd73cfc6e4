import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Field, Heading, Label, Paragraph, Select, Spinner, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import { navigate, useLocation } from '../router.js';
import { api, isAbort, type Municipality, type Region, type Service, type Unit } from '../api.js';
import { ScrollArea } from '../components/ScrollArea.js';
import { PageTitle } from '../components/PageTitle.js';
import { RegionMap } from '../components/RegionMap.js';

const PAGE_SIZE = 50;

interface Filters {
  region: string;
  municipality: string;
  service: string;
}

/** "Hitta vårdenheter": filters in the query string, a county map with its table, and a paged table of units. */
export function DirectoryPage() {
  const { t, lang, formatNumber } = useI18n();
  const d = t.directory;
  const { query } = useLocation();
  const filters: Filters = { region: query.get('region') ?? '', municipality: query.get('municipality') ?? '', service: query.get('service') ?? '' };

  // Filters live in the query string (shareable, survive reload); patches read the current URL so the callback stays stable.
  const setFilters = useCallback((patch: Partial<Filters>) => {
    const current = new URLSearchParams(window.location.search);
    const p = new URLSearchParams();
    for (const k of ['region', 'municipality', 'service'] as const) {
      const v = k in patch ? patch[k] : current.get(k);
      if (v) p.set(k, v);
    }
    const s = p.toString();
    navigate(`${window.location.pathname}${s ? `?${s}` : ''}`, { replace: true });
  }, []);

  // Lists for the filters. Municipalities are fetched once for all regions: the table needs their names too.
  const [services, setServices] = useState<Service[] | null>(null);
  const [municipalities, setMunicipalities] = useState<Municipality[] | null>(null);
  const [listsError, setListsError] = useState(false);
  useEffect(() => {
    const ac = new AbortController();
    Promise.all([api.services(ac.signal), api.municipalities(undefined, ac.signal)])
      .then(([s, m]) => {
        setServices(s.items);
        setMunicipalities(m.items);
      })
      .catch((err: unknown) => !isAbort(err) && setListsError(true));
    return () => ac.abort();
  }, []);

  // Regions with their unit counts for the chosen service (the map and the region select).
  const [regions, setRegions] = useState<Region[] | null>(null);
  const [regionsLoading, setRegionsLoading] = useState(true);
  const [regionsError, setRegionsError] = useState(false);
  useEffect(() => {
    const ac = new AbortController();
    setRegionsLoading(true);
    api
      .regions(filters.service || undefined, ac.signal)
      .then((r) => {
        setRegions(r.items);
        setRegionsError(false);
        setRegionsLoading(false);
      })
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setRegionsError(true);
        setRegionsLoading(false);
      });
    return () => ac.abort();
  }, [filters.service]);

  // The units: first page on every filter change, further pages appended with "Visa fler".
  const [units, setUnits] = useState<Unit[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'loadingMore' | 'ready' | 'error'>('loading');
  const [attempt, setAttempt] = useState(0);
  const key = `${filters.region}|${filters.municipality}|${filters.service}`;
  useEffect(() => {
    const ac = new AbortController();
    setState('loading');
    const [region, municipality, service] = key.split('|');
    api
      .units({ region, municipality, service, limit: PAGE_SIZE }, ac.signal)
      .then((page) => {
        setUnits(page.items);
        setCursor(page.nextCursor);
        setState('ready');
      })
      .catch((err: unknown) => !isAbort(err) && setState('error'));
    return () => ac.abort();
  }, [key, attempt]);

  const loadMore = async () => {
    if (!cursor) return;
    setState('loadingMore');
    try {
      const page = await api.units({ ...filters, cursor, limit: PAGE_SIZE });
      setUnits((prev) => [...prev, ...page.items]);
      setCursor(page.nextCursor);
      setState('ready');
    } catch {
      setState('error');
    }
  };

  const regionName = useMemo(() => new Map((regions ?? []).map((r) => [r.code, r.name])), [regions]);
  const municipalityName = useMemo(() => new Map((municipalities ?? []).map((m) => [m.code, m.name])), [municipalities]);
  const sortedRegions = useMemo(() => [...(regions ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'sv')), [regions]);
  const regionMunicipalities = useMemo(
    () => (municipalities ?? []).filter((m) => m.regionCode === filters.region).sort((a, b) => a.name.localeCompare(b.name, 'sv')),
    [municipalities, filters.region],
  );
  const sortedServices = useMemo(() => [...(services ?? [])].sort((a, b) => a.name[lang].localeCompare(b.name[lang], lang)), [services, lang]);
  const chosenService = services?.find((s) => s.id === filters.service);

  const onSelectRegion = useCallback(
    (code: string) => {
      setFilters({ region: code, municipality: '' });
      document.getElementById('results-heading')?.scrollIntoView({ block: 'start' });
    },
    [setFilters],
  );

  const status =
    state === 'loading' ? d.loading : state === 'loadingMore' ? d.loadingMore : state === 'error' ? '' : units.length === 0 ? d.empty : d.shown(formatNumber(units.length), !!cursor);

  return (
    <>
      <PageTitle title={d.title}>{d.title}</PageTitle>
      <Paragraph className="lead">{d.lead}</Paragraph>

      <section aria-labelledby="filters-heading" className="filters">
        <Heading level={2} data-size="xs" id="filters-heading">
          {d.filtersHeading}
        </Heading>
        {listsError && <Alert data-color="danger">{d.filtersError}</Alert>}
        <div className="filters__grid">
          <Field>
            <Label htmlFor="filter-region">{d.region}</Label>
            <Select id="filter-region" value={filters.region} onChange={(e) => setFilters({ region: e.target.value, municipality: '' })}>
              <option value="">{d.allRegions}</option>
              {sortedRegions.map((r) => (
                <option key={r.code} value={r.code}>
                  {r.name}
                </option>
              ))}
            </Select>
          </Field>
          {/* The hint sits outside the Field: Designsystemet dims a whole field whose control is disabled, and the hint must stay readable. */}
          <div>
          <Field>
            <Label htmlFor="filter-municipality">{d.municipality}</Label>
            <Select
              id="filter-municipality"
              value={filters.municipality}
              disabled={!filters.region}
              aria-describedby={!filters.region ? 'filter-municipality-hint' : undefined}
              onChange={(e) => setFilters({ municipality: e.target.value })}
            >
              <option value="">{d.allMunicipalities}</option>
              {regionMunicipalities.map((m) => (
                <option key={m.code} value={m.code}>
                  {m.name}
                </option>
              ))}
            </Select>
          </Field>
          {!filters.region && (
            <p id="filter-municipality-hint" className="hint">
              {d.chooseRegionFirst}
            </p>
          )}
          </div>
          <Field>
            <Label htmlFor="filter-service">{d.service}</Label>
            <Select id="filter-service" value={filters.service} onChange={(e) => setFilters({ service: e.target.value })}>
              <option value="">{d.allServices}</option>
              {sortedServices.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name[lang]}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        {(filters.region || filters.municipality || filters.service) && (
          <Button variant="tertiary" data-size="sm" onClick={() => setFilters({ region: '', municipality: '', service: '' })}>
            {d.clearFilters}
          </Button>
        )}
      </section>

      <div className="directory-layout">
        <section aria-labelledby="results-heading" className="results">
          <Heading level={2} data-size="sm" id="results-heading">
            {d.resultsHeading}
          </Heading>
          <p role="status" aria-live="polite" className="results__status" data-testid="results-status">
            {(state === 'loading' || state === 'loadingMore') && <Spinner aria-hidden="true" data-size="xs" />} {status}
          </p>
          {state === 'error' && (
            <Alert data-color="danger" className="results__error">
              <Paragraph>{d.error}</Paragraph>
              <Button data-size="sm" variant="secondary" onClick={() => setAttempt((a) => a + 1)}>
                {d.retry}
              </Button>
            </Alert>
          )}
          {units.length > 0 && state !== 'loading' && (
            <ScrollArea label={d.caption}>
              <Table zebra border data-size="sm" data-testid="units-table">
                <caption>{d.caption}</caption>
                <Table.Head>
                  <Table.Row>
                    <Table.HeaderCell scope="col">{d.colName}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{d.colMunicipality}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{d.colRegion}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{d.colKind}</Table.HeaderCell>
                    <Table.HeaderCell scope="col" className="num">
                      {d.colServices}
                    </Table.HeaderCell>
                  </Table.Row>
                </Table.Head>
                <Table.Body>
                  {units.map((u) => (
                    <Table.Row key={u.hsaId}>
                      <Table.HeaderCell scope="row" className="unit-name">
                        {u.name}
                        {u.synthetic && (
                          <>
                            {' '}
                            <span className="tag-synthetic" title={d.syntheticTitle}>
                              {d.synthetic}
                            </span>
                          </>
                        )}
                      </Table.HeaderCell>
                      <Table.Cell>{municipalityName.get(u.municipalityCode) ?? u.municipalityCode}</Table.Cell>
                      <Table.Cell>{regionName.get(u.regionCode) ?? u.regionCode}</Table.Cell>
                      <Table.Cell>{d.kinds[u.kind] ?? u.kind}</Table.Cell>
                      <Table.Cell className="num">{formatNumber(u.serviceIds.length)}</Table.Cell>
                    </Table.Row>
                  ))}
                </Table.Body>
              </Table>
            </ScrollArea>
          )}
          {cursor && state !== 'loading' && state !== 'error' && (
            <Button variant="secondary" onClick={() => void loadMore()} disabled={state === 'loadingMore'} className="show-more">
              {d.showMore}
            </Button>
          )}
        </section>

        <RegionMap
          regions={regions}
          loading={regionsLoading}
          error={regionsError}
          serviceName={chosenService?.name[lang]}
          selectedRegion={filters.region}
          onSelectRegion={onSelectRegion}
        />
      </div>
    </>
  );
}
