import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Button, Field, Heading, Input, Label, Paragraph, Select, Textarea } from '@digdir/designsystemet-react';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate, useLocation } from '../../router.js';
import { useSession } from '../../session.js';
import { api, type Municipality, type Service } from '../../api.js';
import { PageTitle } from '../../components/PageTitle.js';
import { ws, type OpenCaseIn } from '../../workspace/api.js';
import { ActionError, RequireRole, WorkspaceNav, swedishToday, useAction } from '../../workspace/common.js';
import '../../workspace/workspace.css';

/** "Öppna ärende": from an at-risk waiting episode (prefilled) or from scratch. */
export function NewCasePage() {
  const { t } = useI18n();
  return (
    <RequireRole roles={['coordinator']} title={t.ws.newCase.title}>
      <NewCase />
    </RequireRole>
  );
}

function NewCase() {
  const { t, lang } = useI18n();
  const n = t.ws.newCase;
  const { me } = useSession();
  const region = me?.regionCode ?? '';
  const { query } = useLocation();
  const record = query.get('record') ?? '';
  const unitHsaId = query.get('unit') ?? '';

  const [services, setServices] = useState<Service[]>([]);
  const [municipalities, setMunicipalities] = useState<Municipality[]>([]);
  const [serviceId, setServiceId] = useState(query.get('service') ?? '');
  const [clockStart, setClockStart] = useState(query.get('clockStart') ?? '');
  const [personnummer, setPersonnummer] = useState('');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [municipality, setMunicipality] = useState('');
  const [maxDistance, setMaxDistance] = useState('');
  const [language, setLanguage] = useState('');
  const [accessibility, setAccessibility] = useState('');
  const [notes, setNotes] = useState('');
  const [missing, setMissing] = useState(false);
  const action = useAction();

  useEffect(() => {
    const ac = new AbortController();
    api.services(ac.signal).then((r) => setServices(r.items)).catch(() => undefined);
    if (region) api.municipalities(region, ac.signal).then((r) => setMunicipalities(r.items)).catch(() => undefined);
    // From an episode: the home municipality is not in the at-risk list, so start from the unit's municipality.
    if (unitHsaId && region)
      ws.regionUnits(region, ac.signal)
        .then((r) => {
          const u = r.items.find((x) => x.hsaId === unitHsaId);
          if (u) setMunicipality((m) => m || u.municipalityCode);
        })
        .catch(() => undefined);
    return () => ac.abort();
  }, [region, unitHsaId]);
  const sortedServices = useMemo(() => [...services].sort((a, b) => a.name[lang].localeCompare(b.name[lang], lang)), [services, lang]);
  const sortedMunicipalities = useMemo(() => [...municipalities].sort((a, b) => a.name.localeCompare(b.name, 'sv')), [municipalities]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!serviceId || !personnummer.trim() || !municipality) {
      setMissing(true);
      return;
    }
    setMissing(false);
    const preferences: NonNullable<OpenCaseIn['preferences']> = {};
    if (maxDistance) preferences.maxDistanceKm = Number(maxDistance);
    if (language.trim()) preferences.language = language.trim();
    if (accessibility.trim()) preferences.accessibilityNeeds = accessibility.trim();
    if (notes.trim()) preferences.notes = notes.trim();
    const body: OpenCaseIn = {
      serviceId,
      clockStart: clockStart || swedishToday(),
      patient: { personnummer: personnummer.trim(), homeMunicipality: municipality, ...(name.trim() ? { name: name.trim() } : {}), ...(phone.trim() ? { phone: phone.trim() } : {}) },
      ...(Object.keys(preferences).length ? { preferences } : {}),
      ...(record ? { waitingRecordId: record } : {}),
    };
    const c = await action.run(() => ws.openCase(body));
    if (c) navigate(`/arbetsyta/arenden/${c.id}`);
  };

  const req = <span className="ws-required"> ({n.required})</span>;
  return (
    <>
      <PageTitle title={n.title}>{n.title}</PageTitle>
      <WorkspaceNav current="none" />
      <Paragraph className="lead">{n.lead}</Paragraph>
      {record && <Paragraph data-testid="from-episode">{n.fromEpisode(record)}</Paragraph>}
      <form className="ws-form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={action.error ? 'new-case-error' : undefined}>
        <Field>
          <Label htmlFor="nc-service">
            {n.service}
            {req}
          </Label>
          <Select id="nc-service" value={serviceId} onChange={(e) => setServiceId(e.target.value)} required disabled={!!record}>
            <option value="">{n.chooseService}</option>
            {sortedServices.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name[lang]}
              </option>
            ))}
          </Select>
        </Field>
        <div>
          <Field>
            <Label htmlFor="nc-clock">{n.clockStart}</Label>
            <Input id="nc-clock" type="date" value={clockStart} max={swedishToday()} onChange={(e) => setClockStart(e.target.value)} readOnly={!!record} aria-describedby="nc-clock-hint" />
          </Field>
          <p className="hint" id="nc-clock-hint">
            {n.clockStartHint}
          </p>
        </div>
        <div>
          <Field>
            <Label htmlFor="nc-pnr">
              {n.personnummer}
              {req}
            </Label>
            <Input id="nc-pnr" value={personnummer} onChange={(e) => setPersonnummer(e.target.value)} autoComplete="off" inputMode="numeric" required aria-describedby="nc-pnr-hint" />
          </Field>
          <p className="hint" id="nc-pnr-hint">
            {n.personnummerHint}
          </p>
        </div>
        <Field>
          <Label htmlFor="nc-name">{n.name}</Label>
          <Input id="nc-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field>
          <Label htmlFor="nc-phone">{n.phone}</Label>
          <Input id="nc-phone" type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} autoComplete="off" />
        </Field>
        <div>
          <Field>
            <Label htmlFor="nc-municipality">
              {n.municipality}
              {req}
            </Label>
            <Select id="nc-municipality" value={municipality} onChange={(e) => setMunicipality(e.target.value)} required aria-describedby="nc-municipality-hint">
              <option value="">{n.chooseMunicipality}</option>
              {sortedMunicipalities.map((m) => (
                <option key={m.code} value={m.code}>
                  {m.name}
                </option>
              ))}
            </Select>
          </Field>
          <p className="hint" id="nc-municipality-hint">
            {n.municipalityHint}
          </p>
        </div>
        <fieldset>
          <legend>
            <Heading level={2} data-size="xs">
              {n.preferencesHeading}
            </Heading>
          </legend>
          <div className="ws-form">
            <Field>
              <Label htmlFor="nc-distance">{n.maxDistance}</Label>
              <Input id="nc-distance" type="number" min={1} max={2000} inputMode="numeric" value={maxDistance} onChange={(e) => setMaxDistance(e.target.value)} />
            </Field>
            <Field>
              <Label htmlFor="nc-language">{n.language}</Label>
              <Input id="nc-language" value={language} onChange={(e) => setLanguage(e.target.value)} />
            </Field>
            <Field>
              <Label htmlFor="nc-access">{n.accessibility}</Label>
              <Input id="nc-access" value={accessibility} onChange={(e) => setAccessibility(e.target.value)} />
            </Field>
            <div>
              <Field>
                <Label htmlFor="nc-notes">{n.notes}</Label>
                <Textarea id="nc-notes" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} aria-describedby="nc-notes-hint" />
              </Field>
              <p className="hint" id="nc-notes-hint">
                {n.notesHint}
              </p>
            </div>
          </div>
        </fieldset>
        <div>
          <Button type="submit" disabled={action.busy} aria-busy={action.busy || undefined}>
            {action.busy ? n.submitting : n.submit}
          </Button>
          {missing && (
            <p role="alert" className="ws-error">
              {n.missing}
            </p>
          )}
          <ActionError error={action.error} id="new-case-error" />
        </div>
      </form>
      <Paragraph>
        <Link href="/arbetsyta/arbetslista">{t.ws.backToWorklist}</Link>
      </Paragraph>
    </>
  );
}
