import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Button, Checkbox, Field, Heading, Input, Label, Paragraph, Select, Table } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { api, ApiError, isAbort, type Region } from '../../api.js';
import { ScrollArea } from '../../components/ScrollArea.js';
import { LoadError, Loading, useFormatters } from '../../workspace/common.js';
import {
  COMPARATORS,
  GUARANTEE_KIND_IDS,
  VIEW_IDS,
  fieldToTarget,
  followUp,
  isGoalKind,
  isViewId,
  targetToField,
  type Comparator,
  type Goal,
  type GoalIn,
  type GoalKind,
  type IndicatorInfo,
  type StatisticalView,
  useValueFormat,
} from '../../workspace/follow-up-api.js';

/** The form's fields; the API's problem+json names a field (e.g. "dueDate", "title.sv") and the message goes next to it. */
type FieldKey = 'indicatorId' | 'regionCode' | 'view' | 'guaranteeKinds' | 'comparator' | 'target' | 'dueDate' | 'titleSv' | 'titleEn' | 'active';

function fieldOf(apiField: string | undefined): FieldKey | null {
  if (!apiField) return null;
  const f = apiField.replace(/^body\./, '');
  if (f.startsWith('title.sv')) return 'titleSv';
  if (f.startsWith('title.en')) return 'titleEn';
  if (f === 'title') return 'titleSv';
  if (f.startsWith('guaranteeKinds')) return 'guaranteeKinds';
  const known: FieldKey[] = ['indicatorId', 'regionCode', 'view', 'comparator', 'target', 'dueDate', 'active'];
  return known.find((k) => f === k || f.startsWith(`${k}.`) || f.startsWith(`${k}[`)) ?? null;
}

/** The goals, each with a "Change" button, and the editor for the one being changed (PUT with If-Match). */
export function GoalEditor({ indicators, onSaved }: { indicators: IndicatorInfo[]; onSaved: () => void }) {
  const { t, lang } = useI18n();
  const g = t.followUp.goals;
  const fmt = useFormatters();
  const value = useValueFormat();
  const [goals, setGoals] = useState<Goal[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [regions, setRegions] = useState<Region[]>([]);
  const [editing, setEditing] = useState<string>('');
  const [saved, setSaved] = useState('');
  const [formKey, setFormKey] = useState(0);
  const savedRef = useRef<HTMLParagraphElement>(null);

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      const r = await followUp.goals(signal);
      setGoals(r.items);
      setError(null);
      return r.items;
    } catch (err) {
      if (!isAbort(err)) setError(err);
      return null;
    }
  }, []);
  useEffect(() => {
    const ac = new AbortController();
    void load(ac.signal);
    api.regions(undefined, ac.signal).then((r) => setRegions(r.items)).catch(() => undefined);
    return () => ac.abort();
  }, [load]);

  const indicatorOf = useMemo(() => new Map(indicators.map((i) => [i.id, i])), [indicators]);
  const regionName = useMemo(() => new Map(regions.map((r) => [r.code, r.name])), [regions]);
  const goal = goals?.find((x) => x.id === editing);

  // The form closes on success: focus moves to the message that says so (it is also a live region).
  useEffect(() => {
    if (saved) savedRef.current?.focus();
  }, [saved]);

  const open = (id: string) => {
    setEditing(id);
    setSaved('');
    setFormKey((k) => k + 1);
  };

  if (error) return <LoadError error={error} onRetry={() => void load()} />;
  if (!goals) return <Loading />;
  if (goals.length === 0) return <Paragraph>{g.noGoals}</Paragraph>;
  return (
    <>
      <ScrollArea label={g.caption}>
        <Table border data-size="sm" data-testid="fu-goals">
          <caption>{g.caption}</caption>
          <Table.Head>
            <Table.Row>
              <Table.HeaderCell scope="col">{g.colTitle}</Table.HeaderCell>
              <Table.HeaderCell scope="col">{g.colIndicator}</Table.HeaderCell>
              <Table.HeaderCell scope="col">{g.colScope}</Table.HeaderCell>
              <Table.HeaderCell scope="col">{g.colTarget}</Table.HeaderCell>
              <Table.HeaderCell scope="col">{g.colDue}</Table.HeaderCell>
              <Table.HeaderCell scope="col">{g.colAction}</Table.HeaderCell>
            </Table.Row>
          </Table.Head>
          <Table.Body>
            {goals.map((x) => {
              const ind = indicatorOf.get(x.indicatorId);
              return (
                <Table.Row key={x.id} data-goal-id={x.id}>
                  <Table.HeaderCell scope="row">
                    {x.title[lang]}
                    {x.proposed && <span className="fu-tag">{g.proposed}</span>}
                    {!x.active && <span className="fu-tag">{g.inactive}</span>}
                  </Table.HeaderCell>
                  <Table.Cell>{ind ? ind.name[lang] : x.indicatorId}</Table.Cell>
                  <Table.Cell>{x.regionCode ? (regionName.get(x.regionCode) ?? x.regionCode) : g.allRegions}</Table.Cell>
                  <Table.Cell className="ws-nowrap">
                    {t.followUp.comparators[x.comparator]} {value(ind?.unit, x.target)}
                  </Table.Cell>
                  <Table.Cell className="ws-nowrap">{fmt.date(x.dueDate)}</Table.Cell>
                  <Table.Cell>
                    <Button data-size="sm" variant="secondary" aria-label={g.editLabel(x.title[lang])} aria-expanded={editing === x.id} onClick={() => open(x.id)}>
                      {g.edit}
                    </Button>
                  </Table.Cell>
                </Table.Row>
              );
            })}
          </Table.Body>
        </Table>
      </ScrollArea>
      {saved && (
        <p className="ws-ok" role="status" tabIndex={-1} ref={savedRef} data-testid="fu-goal-saved">
          {saved}
        </p>
      )}
      {goal && (
        <GoalForm
          key={`${goal.id}:${formKey}`}
          goal={goal}
          indicators={indicators}
          regions={regions}
          onCancel={() => setEditing('')}
          onReload={async () => {
            await load();
            setFormKey((k) => k + 1);
          }}
          onSaved={(updated) => {
            setEditing('');
            setGoals((list) => (list ?? []).map((x) => (x.id === updated.id ? updated : x)));
            setSaved(g.saved(updated.title[lang]));
            void load();
            onSaved();
          }}
        />
      )}
    </>
  );
}

function GoalForm(props: {
  goal: Goal;
  indicators: IndicatorInfo[];
  regions: Region[];
  onCancel: () => void;
  onReload: () => Promise<void>;
  onSaved: (g: Goal) => void;
}) {
  const { t, lang } = useI18n();
  const g = t.followUp.goals;
  const { goal, indicators, regions, onCancel, onReload, onSaved } = props;
  const indicatorOf = useMemo(() => new Map(indicators.map((i) => [i.id, i])), [indicators]);
  const [indicatorId, setIndicatorId] = useState(goal.indicatorId);
  const ind = indicatorOf.get(indicatorId);
  const unit = ind?.unit ?? (/share|rate/.test(indicatorId) ? 'share' : '');
  const [regionCode, setRegionCode] = useState(goal.regionCode ?? '');
  const [view, setView] = useState<StatisticalView | ''>(goal.view !== null && isViewId(goal.view) ? goal.view : '');
  const [kinds, setKinds] = useState<GoalKind[]>(goal.guaranteeKinds.filter(isGoalKind));
  const [comparator, setComparator] = useState<Comparator>(goal.comparator);
  const [target, setTarget] = useState(targetToField(unit, goal.target));
  const [dueDate, setDueDate] = useState(goal.dueDate);
  const [titleSv, setTitleSv] = useState(goal.title.sv);
  const [titleEn, setTitleEn] = useState(goal.title.en);
  const [active, setActive] = useState(goal.active);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [problem, setProblem] = useState<{ detail: string; other: string[] } | null>(null);
  const [conflict, setConflict] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const problemRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('select, input')?.focus();
  }, []);
  // After a refusal (once it is on screen): focus the first field marked wrong, else the message.
  const [focusTick, setFocusTick] = useState(0);
  useEffect(() => {
    if (focusTick === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('input[aria-invalid="true"], select[aria-invalid="true"], fieldset[aria-invalid="true"] input');
    (first ?? problemRef.current)?.focus();
  }, [focusTick]);

  const pickIndicator = (id: string) => {
    const next = indicatorOf.get(id);
    const nextUnit = next?.unit ?? '';
    // Keep the same figure the reader typed, but in the new indicator's unit (a share is typed in per cent).
    if (unit !== nextUnit && target !== '') setTarget(targetToField(nextUnit, fieldToTarget(unit, target)));
    setIndicatorId(id);
    if (next && !next.byView) setView('');
    if (next?.byView && !view) setView('excluding_pvv_and_mov');
    if (next && !next.byGuaranteeKind) setKinds([]);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setProblem(null);
    setConflict(false);
    const body: GoalIn = {
      indicatorId,
      ...(regionCode ? { regionCode } : {}),
      ...(view ? { view } : {}),
      guaranteeKinds: kinds,
      comparator,
      target: target.trim() === '' ? Number.NaN : fieldToTarget(unit, target),
      dueDate,
      title: { sv: titleSv.trim(), en: titleEn.trim() },
      active,
    };
    try {
      const updated = await followUp.putGoal(goal.id, goal.version, body);
      onSaved(updated);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) {
        setConflict(true);
      } else if (err instanceof ApiError) {
        const byField: Partial<Record<FieldKey, string>> = {};
        const other: string[] = [];
        for (const fe of err.errors) {
          const k = fieldOf(fe.field);
          if (k) byField[k] = byField[k] ? `${byField[k]} ${fe.message}` : fe.message;
          else other.push(fe.field ? `${fe.field}: ${fe.message}` : fe.message);
        }
        // A rule refused without a field list: the detail names the field when the API could tell.
        if (err.errors.length === 0) {
          const k = fieldOf((err.problem.field as string | undefined) ?? undefined);
          if (k) byField[k] = err.detail;
        }
        setErrors(byField);
        setProblem({ detail: err.detail, other });
        setFocusTick((n) => n + 1);
      } else {
        setProblem({ detail: err instanceof Error ? err.message : String(err), other: [] });
        setFocusTick((n) => n + 1);
      }
    } finally {
      setBusy(false);
    }
  };

  const err = (k: FieldKey) => errors[k];
  const described = (k: FieldKey, hint?: string) => [hint, errors[k] ? `goal-${k}-error` : undefined].filter(Boolean).join(' ') || undefined;
  const errorText = (k: FieldKey) =>
    errors[k] ? (
      <p className="fu-field-error" id={`goal-${k}-error`} data-testid={`goal-error-${k}`}>
        {errors[k]}
      </p>
    ) : null;
  const targetHint = unit === 'share' ? g.targetHintShare : unit === 'flag' ? g.targetHintFlag : g.targetHintOther(g.unitNames[unit] ?? unit);

  return (
    <form ref={formRef} className="ws-panel ws-form section fu-goal-form" aria-labelledby="goal-editor-heading" onSubmit={(e) => void submit(e)} noValidate data-testid="fu-goal-form">
      <Heading level={3} data-size="xs" id="goal-editor-heading">
        {g.editorHeading(goal.title[lang])}
      </Heading>
      {conflict && (
        <div role="alert" className="ws-error" data-testid="fu-goal-conflict">
          <p>{g.conflict}</p>
          <Button type="button" data-size="sm" variant="secondary" onClick={() => void onReload()}>
            {g.reload}
          </Button>
        </div>
      )}
      {problem && (
        <div role="alert" className="ws-error" tabIndex={-1} ref={problemRef} data-testid="fu-goal-problem">
          <p>{g.fixErrors}</p>
          <p>{problem.detail}</p>
          {problem.other.length > 0 && (
            <ul>
              {problem.other.map((o, i) => (
                <li key={i}>{o}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div>
        <Field>
          <Label htmlFor="goal-indicatorId">{g.indicator}</Label>
          <Select id="goal-indicatorId" value={indicatorId} onChange={(e) => pickIndicator(e.target.value)} aria-invalid={!!err('indicatorId') || undefined} aria-describedby={described('indicatorId')}>
            {!ind && <option value={indicatorId}>{indicatorId}</option>}
            {indicators.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name[lang]}
              </option>
            ))}
          </Select>
        </Field>
        {errorText('indicatorId')}
      </div>
      <div>
        <Field>
          <Label htmlFor="goal-regionCode">{g.region}</Label>
          <Select id="goal-regionCode" value={regionCode} onChange={(e) => setRegionCode(e.target.value)} aria-invalid={!!err('regionCode') || undefined} aria-describedby={described('regionCode')}>
            <option value="">{g.regionNational}</option>
            {regions.map((r) => (
              <option key={r.code} value={r.code}>
                {r.name}
              </option>
            ))}
            {regionCode && !regions.some((r) => r.code === regionCode) && <option value={regionCode}>{regionCode}</option>}
          </Select>
        </Field>
        {errorText('regionCode')}
      </div>
      <div>
        <Field>
          <Label htmlFor="goal-view">{g.view}</Label>
          <Select id="goal-view" value={view} onChange={(e) => setView(isViewId(e.target.value) ? e.target.value : '')} aria-invalid={!!err('view') || undefined} aria-describedby={described('view')}>
            {(!ind || !ind.byView || view === '') && <option value="">{g.viewNone}</option>}
            {(!ind || ind.byView) &&
              VIEW_IDS.map((v) => (
                <option key={v} value={v}>
                  {g.views[v]}
                </option>
              ))}
          </Select>
        </Field>
        {errorText('view')}
      </div>
      <fieldset aria-describedby={described('guaranteeKinds', 'goal-kinds-hint')} aria-invalid={!!err('guaranteeKinds') || undefined}>
        <legend>{g.kinds}</legend>
        <p className="hint" id="goal-kinds-hint">
          {ind && !ind.byGuaranteeKind ? g.kindsNone : g.kindsHint}
        </p>
        {(!ind || ind.byGuaranteeKind || kinds.length > 0) &&
          GUARANTEE_KIND_IDS.map((k) => (
            <Checkbox
              key={k}
              id={`goal-kind-${k}`}
              label={g.kindNames[k] ?? k}
              checked={kinds.includes(k)}
              onChange={(e) => setKinds((list) => (e.target.checked ? [...list, k].sort((a, b) => GUARANTEE_KIND_IDS.indexOf(a) - GUARANTEE_KIND_IDS.indexOf(b)) : list.filter((x) => x !== k)))}
            />
          ))}
        {errorText('guaranteeKinds')}
      </fieldset>
      <div>
        <Field>
          <Label htmlFor="goal-comparator">{g.comparator}</Label>
          <Select id="goal-comparator" value={comparator} onChange={(e) => setComparator(e.target.value as Comparator)} aria-invalid={!!err('comparator') || undefined} aria-describedby={described('comparator')}>
            {COMPARATORS.map((c) => (
              <option key={c} value={c}>
                {g.comparatorNames[c]}
              </option>
            ))}
          </Select>
        </Field>
        {errorText('comparator')}
      </div>
      <div>
        <Field>
          <Label htmlFor="goal-target">
            {g.target}
            {unit === 'share' ? ' (%)' : ''}
          </Label>
          <Input
            id="goal-target"
            type="text"
            inputMode="decimal"
            required
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            aria-invalid={!!err('target') || undefined}
            aria-describedby={described('target', 'goal-target-hint')}
          />
        </Field>
        <p className="hint" id="goal-target-hint">
          {targetHint}
        </p>
        {errorText('target')}
      </div>
      <div>
        <Field>
          <Label htmlFor="goal-dueDate">{g.due}</Label>
          <Input
            id="goal-dueDate"
            type="date"
            required
            value={dueDate}
            onChange={(e) => setDueDate(e.target.value)}
            aria-invalid={!!err('dueDate') || undefined}
            aria-describedby={described('dueDate', 'goal-due-hint')}
          />
        </Field>
        <p className="hint" id="goal-due-hint">
          {g.dueHint}
        </p>
        {errorText('dueDate')}
      </div>
      <div>
        <Field>
          <Label htmlFor="goal-titleSv">{g.titleSv}</Label>
          <Input id="goal-titleSv" lang="sv" required maxLength={200} value={titleSv} onChange={(e) => setTitleSv(e.target.value)} aria-invalid={!!err('titleSv') || undefined} aria-describedby={described('titleSv')} />
        </Field>
        {errorText('titleSv')}
      </div>
      <div>
        <Field>
          <Label htmlFor="goal-titleEn">{g.titleEn}</Label>
          <Input id="goal-titleEn" lang="en" required maxLength={200} value={titleEn} onChange={(e) => setTitleEn(e.target.value)} aria-invalid={!!err('titleEn') || undefined} aria-describedby={described('titleEn')} />
        </Field>
        {errorText('titleEn')}
      </div>
      <div>
        <Checkbox id="goal-active" label={g.active} checked={active} onChange={(e) => setActive(e.target.checked)} aria-invalid={!!err('active') || undefined} />
        {errorText('active')}
      </div>
      <div className="ws-actions">
        <Button type="submit" disabled={busy} aria-busy={busy || undefined}>
          {busy ? g.saving : g.save}
        </Button>
        <Button type="button" variant="tertiary" onClick={onCancel}>
          {g.cancel}
        </Button>
      </div>
    </form>
  );
}
