import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Heading, Paragraph, Radio, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate, useLocation } from '../../router.js';
import { api, isAbort, type Region, type Service } from '../../api.js';
import { PageTitle } from '../../components/PageTitle.js';
import { ScrollArea } from '../../components/ScrollArea.js';
import { ws, type InboxItem } from '../../workspace/api.js';
import { DaysLeft, LiveRegion, Loading, LoadError, RequireRole, RespondBy, StatusTag, WorkspaceNav, useFormatters, useLiveUpdates } from '../../workspace/common.js';
import '../../workspace/workspace.css';

const STATUS: Record<string, string> = { pending: 'pending', answered: 'accepted,declined,chosen,expired,withdrawn', all: '' };

/** Journey 4: the provider's inbox, soonest respond-by first, kept fresh without a reload. */
export function InboxPage() {
  const { t } = useI18n();
  return (
    <RequireRole roles={['provider']} title={t.ws.inbox.title}>
      <Inbox />
    </RequireRole>
  );
}

function Inbox() {
  const { t, lang, formatNumber } = useI18n();
  const b = t.ws.inbox;
  const f = useFormatters();
  const { query } = useLocation();
  const show = query.get('visa') ?? 'pending';
  const statusParam = STATUS[show] ?? 'pending';
  const [items, setItems] = useState<InboxItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [live, setLive] = useState('');
  const known = useRef<Set<string> | null>(null);

  const [services, setServices] = useState<Service[]>([]);
  const [regions, setRegions] = useState<Region[]>([]);
  useEffect(() => {
    const ac = new AbortController();
    api.services(ac.signal).then((r) => setServices(r.items)).catch(() => undefined);
    api.regions(undefined, ac.signal).then((r) => setRegions(r.items)).catch(() => undefined);
    return () => ac.abort();
  }, []);
  const serviceName = useMemo(() => new Map(services.map((s) => [s.id, s.name[lang]])), [services, lang]);
  const regionName = useMemo(() => new Map(regions.map((r) => [r.code, r.name])), [regions]);

  const load = useCallback(
    async (announce: boolean, signal?: AbortSignal) => {
      try {
        const r = await ws.inbox({ status: statusParam || undefined, limit: 200 }, signal);
        if (announce && known.current) {
          const fresh = r.items.filter((i) => !known.current?.has(`${i.id}:${i.status}`));
          const newPending = fresh.filter((i) => i.status === 'pending').length;
          if (newPending) setLive(t.ws.live.newRequests(newPending));
          else if (fresh.length || r.items.length !== known.current.size) setLive(t.ws.live.inboxChanged);
        }
        known.current = new Set(r.items.map((i) => `${i.id}:${i.status}`));
        setItems(r.items);
        setError(null);
      } catch (err) {
        if (!isAbort(err)) setError(err);
      }
    },
    [statusParam, t],
  );
  useEffect(() => {
    const ac = new AbortController();
    known.current = null;
    setItems(null);
    void load(false, ac.signal);
    return () => ac.abort();
  }, [load, attempt]);
  const mode = useLiveUpdates(() => void load(true));

  return (
    <>
      <PageTitle title={b.title}>{b.title}</PageTitle>
      <WorkspaceNav current="inbox" />
      <Paragraph className="lead">{b.lead}</Paragraph>
      <fieldset className="ws-form--inline ws-filter">
        <legend>{b.show}</legend>
        {(['pending', 'answered', 'all'] as const).map((k) => (
          <Radio
            key={k}
            name="inbox-show"
            value={k}
            label={k === 'pending' ? b.statusPending : k === 'answered' ? b.statusAnswered : b.statusAll}
            checked={show === k}
            onChange={() => navigate(`${window.location.pathname}${k === 'pending' ? '' : `?visa=${k}`}`, { replace: true })}
          />
        ))}
      </fieldset>
      <LiveRegion message={live} mode={mode} />
      {error ? <LoadError error={error} onRetry={() => setAttempt((a) => a + 1)} /> : null}
      {!items && !error && <Loading />}
      {items && (
        <section aria-labelledby="inbox-list" className="section">
          <Heading level={2} data-size="sm" id="inbox-list">
            {show === 'pending' ? b.statusPending : show === 'answered' ? b.statusAnswered : b.statusAll}
          </Heading>
          <p className="results__status">{items.length === 0 ? b.empty : b.shown(formatNumber(items.length))}</p>
          {items.length > 0 && (
            <ScrollArea label={b.caption}>
              <Table zebra border data-size="sm" data-testid="inbox-table">
                <caption>{b.caption}</caption>
                <Table.Head>
                  <Table.Row>
                    <Table.HeaderCell scope="col">{b.colService}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{b.colRespondBy}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{b.colDeadline}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{b.colUnit}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{b.colFrom}</Table.HeaderCell>
                    <Table.HeaderCell scope="col">{b.colStatus}</Table.HeaderCell>
                  </Table.Row>
                </Table.Head>
                <Table.Body>
                  {items.map((i) => {
                    const service = serviceName.get(i.case.serviceId) ?? i.case.serviceId;
                    return (
                      <Table.Row key={i.id} data-request-id={i.id} data-case-id={i.caseId}>
                        <Table.HeaderCell scope="row">
                          <Link href={`/arbetsyta/forfragningar/${i.id}`} aria-label={b.openFor(service, i.unitName)}>
                            {service}
                          </Link>
                          {i.offeredServiceId ? <div className="hint" data-offered-service={i.offeredServiceId}>{t.ws.case.equivalentService(serviceName.get(i.offeredServiceId) ?? i.offeredServiceId)}</div> : null}
                        </Table.HeaderCell>
                        <Table.Cell>
                          <RespondBy iso={i.respondBy} open={i.status === 'pending'} />
                        </Table.Cell>
                        <Table.Cell>
                          <span className="ws-nowrap">{f.date(i.case.deadline)}</span>
                          <div>
                            <DaysLeft days={i.case.daysLeft} />
                          </div>
                        </Table.Cell>
                        <Table.Cell>{i.unitName}</Table.Cell>
                        <Table.Cell>{regionName.get(i.case.homeRegionCode) ?? i.case.homeRegionCode}</Table.Cell>
                        <Table.Cell>
                          <StatusTag kind="request" status={i.status} />
                        </Table.Cell>
                      </Table.Row>
                    );
                  })}
                </Table.Body>
              </Table>
            </ScrollArea>
          )}
        </section>
      )}
    </>
  );
}
