import { useId, useMemo, useState } from 'react';
import { Field, Input, Label, Paragraph } from '@digdir/designsystemet-react';
import { useI18n } from '../i18n/index.js';
import type { Service } from '../api.js';

const MAX_SHOWN = 12;

/** Lower case, NFC: å, ä and ö are letters of their own in Swedish, so "knä" must not match "kna". */
const fold = (s: string) => s.toLocaleLowerCase('sv').normalize('NFC');

/**
 * Search a service by name: a text field and, below it, the matching services as buttons (an accessible alternative
 * to a combobox that works the same with keyboard, touch and screen readers). The number of matches is announced.
 */
export function ServicePicker({
  services,
  onPick,
  inputId: givenInputId,
  errorId,
}: {
  services: Service[];
  onPick: (id: string) => void;
  /** A fixed id for the search field (so an error summary can link to it). */
  inputId?: string;
  /** The id of an error message about the choice, read out with the field. */
  errorId?: string;
}) {
  const { t, lang } = useI18n();
  const w = t.waitingTimes;
  const [text, setText] = useState('');
  const hintId = useId();
  const autoId = useId();
  const inputId = givenInputId ?? autoId;
  const matches = useMemo(() => {
    const q = fold(text.trim());
    const sorted = [...services].sort((a, b) => a.name[lang].localeCompare(b.name[lang], lang));
    if (!q) return sorted;
    // Swedish and English names both match, so "knä" and "knee" find the same service.
    const hit = sorted.filter((s) => fold(s.name.sv).includes(q) || fold(s.name.en).includes(q));
    return hit.sort((a, b) => Number(!fold(a.name[lang]).startsWith(q)) - Number(!fold(b.name[lang]).startsWith(q)));
  }, [services, text, lang]);
  const shown = matches.slice(0, MAX_SHOWN);
  return (
    <div className="service-picker">
      <Field>
        <Label htmlFor={inputId}>{w.searchLabel}</Label>
        <Paragraph data-size="sm" id={hintId} className="hint">
          {w.searchHint}
        </Paragraph>
        <Input
          id={inputId}
          type="search"
          autoComplete="off"
          value={text}
          aria-describedby={errorId ? `${hintId} ${errorId}` : hintId}
          aria-invalid={errorId ? true : undefined}
          onChange={(e) => setText(e.target.value)}
        />
      </Field>
      <p role="status" aria-live="polite" className="hint" data-testid="service-matches">
        {text.trim() ? w.matches(matches.length) : ''}
      </p>
      <ul className="service-picker__list" style={{ listStyle: 'none', padding: 0, margin: 0, display: 'flex', flexWrap: 'wrap', gap: '0.5rem 1.25rem' }}>
        {shown.map((s) => (
          <li key={s.id}>
            <button type="button" className="linklike" onClick={() => onPick(s.id)}>
              {s.name[lang]}
            </button>
          </li>
        ))}
      </ul>
      {matches.length > shown.length && <p className="hint">{w.moreMatches(matches.length - shown.length)}</p>}
    </div>
  );
}
