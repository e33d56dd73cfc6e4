import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Button, Field, Heading, Input, Label, Paragraph, Select, Textarea } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.js';
import { useSession } from '../../session.js';
import { api, ApiError, isAbort, type Municipality, type Service } from '../../api.js';
import { PageTitle } from '../../components/PageTitle.js';
import { ServicePicker } from '../../components/ServicePicker.js';
import { RequirePatient } from './common.js';
import { isIsoDate, justCreated, patientApi, swedishToday, tooEarlyDates, type PatientRequestIn } from './patient-api.js';

/** The form's fields, in the order they appear (the error summary follows it). */
const FIELDS = ['service', 'clockStart', 'municipality', 'distance', 'dates', 'language', 'accessibility', 'phone', 'notes'] as const;
type FieldKey = (typeof FIELDS)[number];
type Errors = Partial<Record<FieldKey, ReactNode>>;

/** The element each field's error links to. */
const INPUT_ID: Record<FieldKey, string> = {
  service: 'pt-service',
  clockStart: 'pt-clock',
  municipality: 'pt-municipality',
  distance: 'pt-distance',
  dates: 'pt-date',
  language: 'pt-language',
  accessibility: 'pt-access',
  phone: 'pt-phone',
  notes: 'pt-notes',
};
/** The API's field names (problem+json `errors[].field`) → the form's fields. */
function fieldOf(apiField: string | undefined): FieldKey | null {
  if (!apiField) return null;
  if (apiField === 'serviceId') return 'service';
  if (apiField === 'clockStart') return 'clockStart';
  if (apiField === 'homeMunicipality') return 'municipality';
  if (apiField === 'phone') return 'phone';
  if (apiField.startsWith('preferences.maxDistanceKm')) return 'distance';
  if (apiField.startsWith('preferences.unavailableDates')) return 'dates';
  if (apiField.startsWith('preferences.language')) return 'language';
  if (apiField.startsWith('preferences.accessibilityNeeds')) return 'accessibility';
  if (apiField.startsWith('preferences.notes')) return 'notes';
  return null;
}

const MAX_LENGTH = { language: 50, accessibility: 500, notes: 2000 } as const;

/** Journey 2: "Be om vård hos en annan vårdgivare" — the patient's short request to her home region. */
export function AskForCarePage() {
  const { t } = useI18n();
  return (
    <RequirePatient title={t.patient.ask.title} path="/be-om-vard">
      <AskForm />
    </RequirePatient>
  );
}

interface Values {
  serviceId: string;
  clockStart: string;
  municipality: string;
  distance: string;
  dates: string[];
  language: string;
  accessibility: string;
  phone: string;
  notes: string;
}

function AskForm() {
  const { t, lang, formatDate, formatNumber } = useI18n();
  const a = t.patient.ask;
  const e = a.errors;
  const { me } = useSession();
  const today = swedishToday();
  const dateText = (iso: string) => formatDate(`${iso}T12:00:00`);

  const [services, setServices] = useState<Service[] | null>(null);
  const [municipalities, setMunicipalities] = useState<Municipality[]>([]);
  const [listsError, setListsError] = useState(false);
  useEffect(() => {
    const ac = new AbortController();
    api.services(ac.signal).then((r) => setServices(r.items.filter((s) => s.contactType !== 'primary_assessment'))).catch((err: unknown) => !isAbort(err) && setListsError(true));
    api.municipalities(undefined, ac.signal).then((r) => setMunicipalities(r.items)).catch((err: unknown) => !isAbort(err) && setListsError(true));
    return () => ac.abort();
  }, []);
  const sortedMunicipalities = useMemo(() => [...municipalities].sort((x, y) => x.name.localeCompare(y.name, 'sv')), [municipalities]);

  const [v, setV] = useState<Values>(() => ({
    serviceId: '',
    clockStart: '',
    municipality: me?.homeMunicipality ?? '',
    distance: '',
    dates: [],
    language: '',
    accessibility: '',
    phone: '',
    notes: '',
  }));
  const [dateDraft, setDateDraft] = useState('');
  const [datesNote, setDatesNote] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<{ text: string; kind: 'conflict' | 'login' | 'other' } | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  // Focus moves to the error summary (or the form's error) once it is on screen: after React has committed it.
  const [focusRequest, setFocusRequest] = useState<{ target: 'summary' | 'formError'; n: number } | null>(null);
  const requestFocus = (target: 'summary' | 'formError') => setFocusRequest((prev) => ({ target, n: (prev?.n ?? 0) + 1 }));
  useEffect(() => {
    if (!focusRequest) return;
    if (focusRequest.target === 'summary') summaryRef.current?.focus();
    else document.getElementById('pt-form-error')?.focus();
  }, [focusRequest]);
  const service = services?.find((s) => s.id === v.serviceId) ?? null;

  /** The checks the browser can make; the server checks again (and knows the guarantee's limits). */
  const validate = (x: Values): Errors => {
    const out: Errors = {};
    if (!x.serviceId) out.service = e.service;
    if (!x.clockStart) out.clockStart = e.clockStartMissing;
    else if (!isIsoDate(x.clockStart)) out.clockStart = e.clockStartInvalid;
    else if (x.clockStart > today) out.clockStart = e.clockStartFuture;
    if (x.distance.trim()) {
      const n = Number(x.distance.trim());
      if (!Number.isInteger(n) || n < 1 || n > 2000) out.distance = e.distance;
    }
    if (x.phone.trim()) {
      const p = x.phone.trim();
      if (!/^\+?[\d\s()-]{3,40}$/.test(p) || (p.match(/\d/g)?.length ?? 0) < 5) out.phone = e.phone;
    }
    for (const k of ['language', 'accessibility', 'notes'] as const) if (x[k].trim().length > MAX_LENGTH[k]) out[k] = e.tooLong(formatNumber(MAX_LENGTH[k]));
    return out;
  };

  /** Change a value; after the first try to send, the errors follow the values as she corrects them. */
  const set = <K extends keyof Values>(key: K, value: Values[K]) => {
    const next = { ...v, [key]: value };
    setV(next);
    if (submitted) setErrors(validate(next));
  };
  /** Check one field when she leaves it (only once it has a value, so an empty form is not shouted at). */
  const checkOnBlur = (field: FieldKey) => {
    const found = validate(v)[field];
    setErrors((prev) => {
      const next = { ...prev };
      if (found && (submitted || fieldHasValue(field))) next[field] = found;
      else if (!found) delete next[field];
      return next;
    });
  };
  const fieldHasValue = (field: FieldKey) =>
    field === 'clockStart' ? !!v.clockStart : field === 'distance' ? !!v.distance.trim() : field === 'phone' ? !!v.phone.trim() : false;

  const pickService = (id: string) => {
    set('serviceId', id);
    window.requestAnimationFrame(() => document.getElementById('pt-service-chosen')?.focus());
  };
  const changeService = () => {
    set('serviceId', '');
    window.requestAnimationFrame(() => document.getElementById(INPUT_ID.service)?.focus());
  };

  const addDate = () => {
    if (!dateDraft || !isIsoDate(dateDraft)) {
      setErrors((prev) => ({ ...prev, dates: e.date }));
      return;
    }
    setErrors((prev) => {
      const next = { ...prev };
      delete next.dates;
      return next;
    });
    if (!v.dates.includes(dateDraft)) set('dates', [...v.dates, dateDraft].sort());
    setDatesNote(a.dateAdded(dateText(dateDraft)));
    setDateDraft('');
  };
  const removeDate = (d: string) => {
    set(
      'dates',
      v.dates.filter((x) => x !== d),
    );
    setDatesNote(a.dateRemoved(dateText(d)));
    window.requestAnimationFrame(() => document.getElementById(INPUT_ID.dates)?.focus());
  };

  const focusField = (field: FieldKey) => {
    const el = document.getElementById(INPUT_ID[field]);
    el?.focus();
    el?.scrollIntoView({ block: 'center' });
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setSubmitted(true);
    setFormError(null);
    const found = validate(v);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      requestFocus('summary');
      return;
    }
    const preferences: NonNullable<PatientRequestIn['preferences']> = {};
    if (v.distance.trim()) preferences.maxDistanceKm = Number(v.distance.trim());
    if (v.dates.length) preferences.unavailableDates = v.dates;
    if (v.language.trim()) preferences.language = v.language.trim();
    if (v.accessibility.trim()) preferences.accessibilityNeeds = v.accessibility.trim();
    if (v.notes.trim()) preferences.notes = v.notes.trim();
    const body: PatientRequestIn = {
      serviceId: v.serviceId,
      clockStart: v.clockStart,
      ...(v.municipality ? { homeMunicipality: v.municipality } : {}),
      ...(v.phone.trim() ? { phone: v.phone.trim() } : {}),
      ...(Object.keys(preferences).length ? { preferences } : {}),
    };
    setBusy(true);
    try {
      const created = await patientApi.ask(body);
      justCreated.set(created.id, created);
      navigate(`/be-om-vard/klart/${created.id}`);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && (err.status === 422 || err.status === 400) && err.errors.length > 0) {
        const fromServer: Errors = {};
        for (const fe of err.errors) {
          const field = fieldOf(fe.field);
          if (!field) continue;
          fromServer[field] = serverMessage(field, fe.message, err.problem);
        }
        if (Object.keys(fromServer).length > 0) {
          setErrors(fromServer);
          requestFocus('summary');
          return;
        }
      }
      if (err instanceof ApiError && err.status === 409) setFormError({ text: a.conflict, kind: 'conflict' });
      else if (err instanceof ApiError && err.status === 401) setFormError({ text: a.notLoggedInAnymore, kind: 'login' });
      else if (err instanceof ApiError && err.status === 403) setFormError({ text: a.noIdentity, kind: 'other' });
      else setFormError({ text: a.failed, kind: 'other' });
      requestFocus('formError');
    }
  };

  /** The server's English field messages, told in the reader's language; "too early" names the first day she may ask. */
  const serverMessage = (field: FieldKey, message: string, problem: Record<string, unknown>): ReactNode => {
    if (field === 'clockStart') {
      const early = tooEarlyDates(problem);
      if (early)
        return (
          <span data-testid="too-early">
            {e.tooEarly(early.deadline ? dateText(early.deadline) : null, dateText(early.from))}
          </span>
        );
      if (/future/.test(message)) return e.clockStartFuture;
      if (/three years/.test(message)) return e.clockStartOld;
      return e.clockStartInvalid;
    }
    if (field === 'service') return e.service;
    if (field === 'municipality') return e.municipality;
    if (field === 'distance') return e.distance;
    if (field === 'phone') return e.phone;
    if (field === 'dates') return e.date;
    return e.field;
  };

  const errorList = FIELDS.filter((f) => errors[f]);
  const errId = (f: FieldKey) => (errors[f] ? `${INPUT_ID[f]}-error` : undefined);
  const describedBy = (f: FieldKey, hint?: string) => [hint, errId(f)].filter(Boolean).join(' ') || undefined;
  const fieldError = (field: FieldKey) =>
    errors[field] ? (
      <p className="pt-field-error" id={`${INPUT_ID[field]}-error`} data-testid={`error-${field}`}>
        {errors[field]}
      </p>
    ) : null;
  const req = <span className="pt-required"> ({a.required})</span>;

  return (
    <>
      <PageTitle title={a.title}>{a.title}</PageTitle>
      <Paragraph className="lead">{a.lead}</Paragraph>
      <Paragraph>
        <Link href="/dina-rattigheter">{a.rightsLink}</Link>
      </Paragraph>

      {errorList.length > 0 && (
        <div className="pt-summary section" ref={summaryRef} tabIndex={-1} role="group" aria-labelledby="pt-summary-heading" data-testid="error-summary">
          <Heading level={2} data-size="xs" id="pt-summary-heading">
            {a.summaryHeading}
          </Heading>
          <ul>
            {errorList.map((f) => (
              <li key={f}>
                <a
                  href={`#${INPUT_ID[f]}`}
                  onClick={(ev) => {
                    ev.preventDefault();
                    focusField(f);
                  }}
                >
                  {errors[f]}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}

      <form className="pt-form" onSubmit={(ev) => void submit(ev)} noValidate data-testid="ask-form">
        <fieldset aria-describedby={errId('service')}>
          <legend>
            <Heading level={2} data-size="xs">
              {a.serviceLegend}
              {req}
            </Heading>
          </legend>
          {listsError && <Alert data-color="danger">{a.servicesError}</Alert>}
          {!services && !listsError && <Paragraph>{a.loadingServices}</Paragraph>}
          {services &&
            (service ? (
              <p id="pt-service-chosen" tabIndex={-1} data-testid="chosen-service">
                {a.chosenService}: <strong>{service.name[lang]}</strong>{' '}
                <Button type="button" variant="tertiary" data-size="sm" onClick={changeService}>
                  {a.changeService}
                </Button>
              </p>
            ) : (
              <ServicePicker services={services} onPick={pickService} inputId={INPUT_ID.service} {...(errId('service') ? { errorId: errId('service') } : {})} />
            ))}
          {fieldError('service')}
        </fieldset>

        <div>
          <Field>
            <Label htmlFor={INPUT_ID.clockStart}>
              {a.clockStart}
              {req}
            </Label>
            <Input
              id={INPUT_ID.clockStart}
              type="date"
              value={v.clockStart}
              max={today}
              required
              aria-invalid={errors.clockStart ? true : undefined}
              aria-describedby={describedBy('clockStart', 'pt-clock-hint')}
              onChange={(ev) => set('clockStart', ev.target.value)}
              onBlur={() => checkOnBlur('clockStart')}
            />
          </Field>
          <p className="hint" id="pt-clock-hint">
            {a.clockStartHint}
          </p>
          {fieldError('clockStart')}
        </div>

        <div>
          <Field>
            <Label htmlFor={INPUT_ID.municipality}>{a.municipality}</Label>
            <Select
              id={INPUT_ID.municipality}
              value={v.municipality}
              aria-invalid={errors.municipality ? true : undefined}
              aria-describedby={describedBy('municipality', 'pt-municipality-hint')}
              onChange={(ev) => set('municipality', ev.target.value)}
            >
              <option value="">{a.municipalityRegistered}</option>
              {v.municipality && !sortedMunicipalities.some((m) => m.code === v.municipality) && <option value={v.municipality}>{v.municipality}</option>}
              {sortedMunicipalities.map((m) => (
                <option key={m.code} value={m.code}>
                  {m.name}
                </option>
              ))}
            </Select>
          </Field>
          <p className="hint" id="pt-municipality-hint">
            {a.municipalityHint}
          </p>
          {fieldError('municipality')}
        </div>

        <fieldset aria-describedby="pt-preferences-hint">
          <legend>
            <Heading level={2} data-size="xs">
              {a.preferencesLegend}
            </Heading>
          </legend>
          <p className="hint" id="pt-preferences-hint">
            {a.preferencesHint}
          </p>

          <div>
            <Field>
              <Label htmlFor={INPUT_ID.distance}>{a.maxDistance}</Label>
              <Input
                id={INPUT_ID.distance}
                type="number"
                min={1}
                max={2000}
                step={1}
                inputMode="numeric"
                value={v.distance}
                aria-invalid={errors.distance ? true : undefined}
                aria-describedby={describedBy('distance', 'pt-distance-hint')}
                onChange={(ev) => set('distance', ev.target.value)}
                onBlur={() => checkOnBlur('distance')}
              />
            </Field>
            <p className="hint" id="pt-distance-hint">
              {a.maxDistanceHint}
            </p>
            {fieldError('distance')}
          </div>

          <div>
            <div className="pt-add-date">
              <Field>
                <Label htmlFor={INPUT_ID.dates}>{a.unavailable}</Label>
                <Input
                  id={INPUT_ID.dates}
                  type="date"
                  min={today}
                  value={dateDraft}
                  aria-invalid={errors.dates ? true : undefined}
                  aria-describedby={describedBy('dates', 'pt-dates-hint')}
                  onChange={(ev) => setDateDraft(ev.target.value)}
                  onKeyDown={(ev) => {
                    // Enter adds the day instead of sending the whole form.
                    if (ev.key === 'Enter') {
                      ev.preventDefault();
                      addDate();
                    }
                  }}
                />
              </Field>
              <Button type="button" variant="secondary" onClick={addDate}>
                {a.addDate}
              </Button>
            </div>
            <p className="hint" id="pt-dates-hint">
              {a.unavailableHint}
            </p>
            {fieldError('dates')}
            {v.dates.length > 0 ? (
              <ul className="pt-dates" aria-label={a.unavailable} data-testid="unavailable-dates">
                {v.dates.map((d) => (
                  <li key={d}>
                    <time dateTime={d}>{dateText(d)}</time>
                    <Button type="button" variant="tertiary" data-size="sm" onClick={() => removeDate(d)} aria-label={a.removeDate(dateText(d))}>
                      <span aria-hidden="true">✕</span>
                    </Button>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="hint">{a.noDates}</p>
            )}
            <p role="status" className="sr-only">
              {datesNote}
            </p>
          </div>

          <div>
            <Field>
              <Label htmlFor={INPUT_ID.language}>{a.language}</Label>
              <Input
                id={INPUT_ID.language}
                value={v.language}
                maxLength={MAX_LENGTH.language}
                autoComplete="off"
                aria-invalid={errors.language ? true : undefined}
                aria-describedby={describedBy('language')}
                onChange={(ev) => set('language', ev.target.value)}
              />
            </Field>
            {fieldError('language')}
          </div>

          <div>
            <Field>
              <Label htmlFor={INPUT_ID.accessibility}>{a.accessibility}</Label>
              <Textarea
                id={INPUT_ID.accessibility}
                rows={2}
                value={v.accessibility}
                maxLength={MAX_LENGTH.accessibility}
                aria-invalid={errors.accessibility ? true : undefined}
                aria-describedby={describedBy('accessibility', 'pt-access-hint')}
                onChange={(ev) => set('accessibility', ev.target.value)}
              />
            </Field>
            <p className="hint" id="pt-access-hint">
              {a.accessibilityHint}
            </p>
            {fieldError('accessibility')}
          </div>

          <div>
            <Field>
              <Label htmlFor={INPUT_ID.phone}>{a.phone}</Label>
              <Input
                id={INPUT_ID.phone}
                type="tel"
                autoComplete="tel"
                value={v.phone}
                aria-invalid={errors.phone ? true : undefined}
                aria-describedby={describedBy('phone', 'pt-phone-hint')}
                onChange={(ev) => set('phone', ev.target.value)}
                onBlur={() => checkOnBlur('phone')}
              />
            </Field>
            <p className="hint" id="pt-phone-hint">
              {a.phoneHint}
            </p>
            {fieldError('phone')}
          </div>

          <div>
            <Field>
              <Label htmlFor={INPUT_ID.notes}>{a.notes}</Label>
              <Textarea
                id={INPUT_ID.notes}
                rows={3}
                value={v.notes}
                maxLength={MAX_LENGTH.notes}
                aria-invalid={errors.notes ? true : undefined}
                aria-describedby={describedBy('notes')}
                onChange={(ev) => set('notes', ev.target.value)}
              />
            </Field>
            {fieldError('notes')}
          </div>
        </fieldset>

        <div>
          <Button type="submit" disabled={busy} aria-busy={busy || undefined}>
            {busy ? a.submitting : a.submit}
          </Button>
          {formError && (
            <div role="alert" className="pt-summary section" id="pt-form-error" tabIndex={-1} data-testid="form-error">
              <p>{formError.text}</p>
              {formError.kind === 'conflict' && (
                <p>
                  <Link href="/mina-arenden">{t.nav.myCases}</Link>
                </p>
              )}
              {formError.kind === 'login' && (
                <p>
                  <Link href="/logga-in?roll=patient&till=%2Fbe-om-vard">{t.nav.login}</Link>
                </p>
              )}
            </div>
          )}
        </div>
      </form>
    </>
  );
}
