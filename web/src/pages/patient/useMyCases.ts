import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort } from '../../api.js';
import { patientApi, type PatientCase } from './patient-api.js';

/**
 * The patient's cases, read again whenever the page regains focus or becomes visible (she may come back from a phone
 * call with the care guarantee office). Keeps the last good list while a re-read is under way or fails.
 */
export function useMyCases() {
  const [items, setItems] = useState<PatientCase[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [readAt, setReadAt] = useState<Date | null>(null);
  const ac = useRef<AbortController | null>(null);
  const reload = useCallback(() => {
    ac.current?.abort();
    const c = new AbortController();
    ac.current = c;
    patientApi
      .cases(c.signal)
      .then((r) => {
        setItems(r.items);
        setError(null);
        setReadAt(new Date());
      })
      .catch((err: unknown) => !isAbort(err) && setError(err));
  }, []);
  useEffect(() => {
    reload();
    const onVisible = () => document.visibilityState === 'visible' && reload();
    window.addEventListener('focus', reload);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('focus', reload);
      document.removeEventListener('visibilitychange', onVisible);
      ac.current?.abort();
    };
  }, [reload]);
  return { items, error, readAt, reload };
}
