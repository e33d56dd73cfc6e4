import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type RefObject } from 'react';
import { Alert, Button, Checkbox, Field, Heading, Input, Label, Paragraph, Select, Table, Textarea } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { navigate, useLocation } from '../../router.js';
import { useSession } from '../../session.js';
import { api, isAbort, type Service, type Unit } from '../../api.js';
import { PageTitle } from '../../components/PageTitle.js';
import { ScrollArea } from '../../components/ScrollArea.js';
import { ws, type UnitCapacity } from '../../workspace/api.js';
import { ActionError, Loading, LoadError, RequireRole, WorkspaceNav, addDaysIso, swedishToday, useAction, useFormatters } from '../../workspace/common.js';
import '../../workspace/workspace.css';

/** Journey 4: "Kapacitet" — per unit and service the expected wait and weekly capacity for other regions, and an editor. */
export function CapacityPage() {
  const { t } = useI18n();
  return (
    <RequireRole roles={['provider']} title={t.ws.capacity.title}>
      <Capacity />
    </RequireRole>
  );
}

function Capacity() {
  const { t, lang, formatNumber } = useI18n();
  const k = t.ws.capacity;
  const f = useFormatters();
  const { me } = useSession();
  const org = me?.organizationId ?? '';
  const { query } = useLocation();
  const [units, setUnits] = useState<Unit[] | null>(null);
  const [services, setServices] = useState<Service[]>([]);
  const [unitsError, setUnitsError] = useState<unknown>(null);
  useEffect(() => {
    const ac = new AbortController();
    api.services(ac.signal).then((r) => setServices(r.items)).catch(() => undefined);
    if (org)
      ws.orgUnits(org, ac.signal)
        .then((r) => setUnits([...r.items].sort((a, b) => a.name.localeCompare(b.name, 'sv'))))
        .catch((err: unknown) => !isAbort(err) && setUnitsError(err));
    else setUnits([]);
    return () => ac.abort();
  }, [org]);
  const serviceName = useMemo(() => new Map(services.map((s) => [s.id, s.name[lang]])), [services, lang]);
  const unitId = query.get('enhet') ?? units?.[0]?.hsaId ?? '';
  const unit = units?.find((u) => u.hsaId === unitId);

  const [capacity, setCapacity] = useState<UnitCapacity | null>(null);
  const [capError, setCapError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const load = useCallback(async (hsaId: string, signal?: AbortSignal) => {
    try {
      setCapacity(await ws.capacity(hsaId, signal));
      setCapError(null);
    } catch (err) {
      if (!isAbort(err)) setCapError(err);
    }
  }, []);
  useEffect(() => {
    if (!unitId) return;
    const ac = new AbortController();
    setCapacity(null);
    void load(unitId, ac.signal);
    return () => ac.abort();
  }, [unitId, attempt, load]);

  const [editing, setEditing] = useState('');
  const [saved, setSaved] = useState('');
  const editorRef = useRef<HTMLFormElement>(null);
  const rows = useMemo(() => {
    if (!capacity) return [];
    const byService = new Map(capacity.items.map((i) => [i.serviceId, i]));
    const ids = new Set([...(unit?.serviceIds ?? []), ...capacity.items.map((i) => i.serviceId)]);
    return [...ids]
      .map((id) => ({ serviceId: id, current: byService.get(id)?.current ?? null, history: byService.get(id)?.history ?? [] }))
      .sort((a, b) => (serviceName.get(a.serviceId) ?? a.serviceId).localeCompare(serviceName.get(b.serviceId) ?? b.serviceId, lang));
  }, [capacity, unit, serviceName, lang]);
  const oldCount = rows.filter((r) => !r.current || r.current.stale).length;
  const staleDays = formatNumber(capacity?.staleAfterDays ?? 42);

  const startEdit = (serviceId: string) => {
    setEditing(serviceId);
    setSaved('');
    window.setTimeout(() => editorRef.current?.querySelector<HTMLElement>('input, select')?.focus(), 0);
  };

  if (unitsError) return <LoadError error={unitsError} onRetry={() => window.location.reload()} />;
  return (
    <>
      <PageTitle title={k.title}>{k.title}</PageTitle>
      <WorkspaceNav current="capacity" />
      <Paragraph className="lead">{k.lead}</Paragraph>
      {!units && <Loading />}
      {units && units.length === 0 && <Paragraph>{k.noUnits}</Paragraph>}
      {units && units.length > 0 && (
        <div className="filters">
          <Field>
            <Label htmlFor="cap-unit">{k.unit}</Label>
            <Select
              id="cap-unit"
              value={unitId}
              onChange={(e) => {
                setEditing('');
                setSaved('');
                navigate(`${window.location.pathname}?enhet=${encodeURIComponent(e.target.value)}`, { replace: true });
              }}
            >
              {units.map((u) => (
                <option key={u.hsaId} value={u.hsaId}>
                  {u.name}
                </option>
              ))}
            </Select>
          </Field>
        </div>
      )}
      {capError ? <LoadError error={capError} onRetry={() => setAttempt((a) => a + 1)} /> : null}
      {unitId && !capacity && !capError && <Loading />}
      {capacity && unit && (
        <section aria-labelledby="cap-table" className="section">
          <Heading level={2} data-size="sm" id="cap-table">
            {unit.name}
          </Heading>
          {oldCount > 0 && (
            <Alert data-color="warning" data-testid="capacity-reminder">
              <Paragraph>{k.reminder(oldCount, staleDays)}</Paragraph>
            </Alert>
          )}
          <ScrollArea label={k.caption(unit.name)}>
            <Table border data-size="sm" data-testid="capacity-table">
              <caption>{k.caption(unit.name)}</caption>
              <Table.Head>
                <Table.Row>
                  <Table.HeaderCell scope="col">{k.colService}</Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">
                    {k.colWait}
                  </Table.HeaderCell>
                  <Table.HeaderCell scope="col" className="num">
                    {k.colCapacity}
                  </Table.HeaderCell>
                  <Table.HeaderCell scope="col">{k.colAccepts}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{k.colReported}</Table.HeaderCell>
                  <Table.HeaderCell scope="col">{k.colAction}</Table.HeaderCell>
                </Table.Row>
              </Table.Head>
              <Table.Body>
                {rows.map((r) => {
                  const name = serviceName.get(r.serviceId) ?? r.serviceId;
                  return (
                    <Table.Row key={r.serviceId} data-service-id={r.serviceId}>
                      <Table.HeaderCell scope="row">{name}</Table.HeaderCell>
                      <Table.Cell className="num">{r.current ? formatNumber(r.current.expectedWaitDays) : '–'}</Table.Cell>
                      <Table.Cell className="num">{r.current ? formatNumber(r.current.weeklyCapacityForOtherRegions) : '–'}</Table.Cell>
                      <Table.Cell>{r.current ? (r.current.acceptsOtherRegions ? k.yes : k.no) : '–'}</Table.Cell>
                      <Table.Cell>
                        {r.current ? <span className="ws-nowrap">{f.date(r.current.validFrom)}</span> : <span className="ws-stale">{k.never}</span>}
                        {r.current?.stale && (
                          <div>
                            <span className="ws-stale">{k.old(staleDays)}</span>
                          </div>
                        )}
                      </Table.Cell>
                      <Table.Cell>
                        <Button data-size="sm" variant="secondary" aria-label={k.reportFor(name)} onClick={() => startEdit(r.serviceId)}>
                          {k.report}
                        </Button>
                      </Table.Cell>
                    </Table.Row>
                  );
                })}
              </Table.Body>
            </Table>
          </ScrollArea>
          {saved && (
            <p className="ws-ok" role="status" data-testid="capacity-saved">
              {saved}
            </p>
          )}
          <Editor
            key={`${unit.hsaId}:${editing}`}
            formRef={editorRef}
            unit={unit}
            serviceIds={rows.map((r) => r.serviceId)}
            serviceName={serviceName}
            initialService={editing || rows[0]?.serviceId || ''}
            currentOf={(id) => rows.find((r) => r.serviceId === id)?.current ?? null}
            onSaved={(serviceId) => {
              setSaved(k.saved(serviceName.get(serviceId) ?? serviceId));
              void load(unit.hsaId);
            }}
          />
        </section>
      )}
    </>
  );
}

function Editor(props: {
  formRef: RefObject<HTMLFormElement | null>;
  unit: Unit;
  serviceIds: string[];
  serviceName: Map<string, string>;
  initialService: string;
  currentOf: (serviceId: string) => { expectedWaitDays: number; weeklyCapacityForOtherRegions: number; acceptsOtherRegions: boolean } | null;
  onSaved: (serviceId: string) => void;
}) {
  const { t } = useI18n();
  const k = t.ws.capacity;
  const { unit, serviceIds, serviceName, initialService, currentOf, onSaved, formRef } = props;
  const [serviceId, setServiceId] = useState(initialService);
  const cur = currentOf(serviceId);
  const [wait, setWait] = useState(cur ? String(cur.expectedWaitDays) : '');
  const [weekly, setWeekly] = useState(cur ? String(cur.weeklyCapacityForOtherRegions) : '');
  const [accepts, setAccepts] = useState(cur ? cur.acceptsOtherRegions : true);
  const [validFrom, setValidFrom] = useState(swedishToday());
  const [comment, setComment] = useState('');
  const action = useAction();
  const pick = (id: string) => {
    setServiceId(id);
    const c = currentOf(id);
    setWait(c ? String(c.expectedWaitDays) : '');
    setWeekly(c ? String(c.weeklyCapacityForOtherRegions) : '');
    setAccepts(c ? c.acceptsOtherRegions : true);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(() =>
      ws.putCapacity(unit.hsaId, serviceId, {
        expectedWaitDays: Number(wait),
        weeklyCapacityForOtherRegions: Number(weekly),
        acceptsOtherRegions: accepts,
        validFrom,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      }),
    );
    if (ok) onSaved(serviceId);
  };
  return (
    <form ref={formRef} className="ws-panel ws-form section" aria-labelledby="cap-editor" onSubmit={(e) => void submit(e)} data-testid="capacity-editor">
      <Heading level={3} data-size="xs" id="cap-editor">
        {k.editorHeading}
      </Heading>
      <Field>
        <Label htmlFor="cap-service">{k.service}</Label>
        <Select id="cap-service" value={serviceId} onChange={(e) => pick(e.target.value)}>
          {serviceIds.map((id) => (
            <option key={id} value={id}>
              {serviceName.get(id) ?? id}
            </option>
          ))}
        </Select>
      </Field>
      <Field>
        <Label htmlFor="cap-wait">{k.expectedWait}</Label>
        <Input id="cap-wait" type="number" inputMode="numeric" min={0} max={3650} required value={wait} onChange={(e) => setWait(e.target.value)} />
      </Field>
      <Field>
        <Label htmlFor="cap-weekly">{k.weekly}</Label>
        <Input id="cap-weekly" type="number" inputMode="numeric" min={0} required value={weekly} onChange={(e) => setWeekly(e.target.value)} />
      </Field>
      <Checkbox id="cap-accepts" label={k.accepts} checked={accepts} onChange={(e) => setAccepts(e.target.checked)} />
      <div>
        <Field>
          <Label htmlFor="cap-valid">{k.validFrom}</Label>
          <Input id="cap-valid" type="date" required min="2010-01-01" max={addDaysIso(swedishToday(), 90)} value={validFrom} onChange={(e) => setValidFrom(e.target.value)} aria-describedby="cap-valid-hint" />
        </Field>
        <p className="hint" id="cap-valid-hint">
          {k.validFromHint}
        </p>
      </div>
      <Field>
        <Label htmlFor="cap-comment">{k.comment}</Label>
        <Textarea id="cap-comment" rows={2} value={comment} maxLength={1000} onChange={(e) => setComment(e.target.value)} />
      </Field>
      <div>
        <Button type="submit" disabled={action.busy || !serviceId || wait === '' || weekly === ''} aria-busy={action.busy || undefined}>
          {action.busy ? k.saving : k.save}
        </Button>
        <ActionError error={action.error} />
      </div>
    </form>
  );
}
