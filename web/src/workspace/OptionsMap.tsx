import { useEffect, useRef, useState } from 'react';
import * as Plot from '@observablehq/plot';
import { COUNTIES } from '../components/counties.js';
import { useI18n } from '../i18n/index.js';
import type { SearchOption } from './api.js';

/**
 * The search options on a map of Sweden (Plot, SVG). Filled dot: meets the guarantee; ring: does not or unknown; the
 * number is the rank. The options table beside it carries the same facts and is the keyboard and screen-reader path.
 */
export function OptionsMap({ options, home }: { options: SearchOption[]; home: { lat: number; lng: number; name: string } | null }) {
  const { t } = useI18n();
  const c = t.ws.case;
  const ref = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    try {
      const width = Math.min(host.clientWidth || 320, 420);
      const lng = (o: SearchOption) => o.unit.location.lng;
      const lat = (o: SearchOption) => o.unit.location.lat;
      const chart = Plot.plot({
        width,
        height: Math.round(width * 1.9),
        margin: 4,
        projection: { type: 'transverse-mercator', rotate: [-16, -62], domain: COUNTIES },
        style: { fontSize: '12px', color: '#1e2b3c', background: 'transparent' },
        ariaLabel: c.mapTitle,
        ariaDescription: c.mapDescription,
        marks: [
          Plot.geo(COUNTIES.features, { fill: '#eef1f4', stroke: '#8a96a3', strokeWidth: 0.6, ariaHidden: 'true' }),
          ...(home ? [Plot.dot([home], { x: 'lng', y: 'lat', r: 7, symbol: 'square', fill: '#0b3d6e', title: (d: { name: string }) => `${c.mapLegendHome}: ${d.name}` })] : []),
          Plot.dot(options, {
            x: lng,
            y: lat,
            r: 6,
            stroke: '#0b5b2a',
            strokeWidth: 2,
            fill: (o: SearchOption) => (o.meetsDeadline ? '#0b5b2a' : '#ffffff'),
            title: (o: SearchOption) => `${o.rank}. ${o.unit.name}`,
          }),
          Plot.text(options.slice(0, 10), { x: lng, y: lat, text: (o: SearchOption) => String(o.rank), dx: 10, dy: -8, fill: '#1e2b3c', fontWeight: 'bold', ariaHidden: 'true' }),
        ],
      });
      host.replaceChildren(chart);
      setFailed(false);
      return () => chart.remove();
    } catch {
      setFailed(true);
      return undefined;
    }
  }, [options, home, c]);
  return (
    <figure className="map-figure">
      <div ref={ref} className="ws-map" data-testid="options-map" />
      <figcaption>
        <ul className="ws-legend">
          <li>
            <span aria-hidden="true" style={{ background: '#0b5b2a', border: '2px solid #0b5b2a' }} />
            {c.mapLegendMeets}
          </li>
          <li>
            <span aria-hidden="true" style={{ background: '#ffffff', border: '2px solid #0b5b2a' }} />
            {c.mapLegendNot}
          </li>
          {home && (
            <li>
              <span aria-hidden="true" style={{ background: '#0b3d6e', borderRadius: 0 }} />
              {c.mapLegendHome}
            </li>
          )}
        </ul>
        <p className="map-caption">{c.mapDescription}</p>
        {failed && <p className="ws-error">{c.mapError}</p>}
      </figcaption>
    </figure>
  );
}
