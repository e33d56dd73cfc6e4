import { useEffect, useState } from 'react';
import { api, type Service } from '../../api.js';

/** Service id → the service, for showing names in the reader's language. */
export function useServices(): Map<string, Service> {
  const [map, setMap] = useState<Map<string, Service>>(new Map());
  useEffect(() => {
    const ac = new AbortController();
    api
      .services(ac.signal)
      .then((r) => setMap(new Map(r.items.map((s) => [s.id, s]))))
      .catch(() => undefined);
    return () => ac.abort();
  }, []);
  return map;
}
