import geoText from '../../../reference/regions.geojson?raw';

/** One county outline of reference/regions.geojson (Natural Earth, public domain). */
export interface CountyFeature {
  type: 'Feature';
  properties: { iso_3166_2: string; name_sv: string; name_en: string };
  geometry: unknown;
}
export interface CountyCollection {
  type: 'FeatureCollection';
  features: CountyFeature[];
}
type Ring = [number, number][];

/** Twice the signed planar area of a ring in lng/lat; positive means counter-clockwise. */
function signedArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (ring[j]![0] - ring[i]![0]) * (ring[j]![1] + ring[i]![1]);
  return sum;
}

/**
 * d3-geo (inside Plot) reads polygons with the spherical winding rule: outer rings clockwise, holes counter-clockwise.
 * The file follows RFC 7946 (the opposite), which d3 would draw as "the whole globe except the county" — a filled
 * rectangle. Rewinding once at load time fixes that without a new dependency.
 */
function rewind(geometry: unknown): unknown {
  const g = geometry as { type: string; coordinates: Ring[] | Ring[][] };
  const fixPolygon = (rings: Ring[]) => rings.map((r, i) => ((signedArea(r) > 0) === (i === 0) ? [...r].reverse() : r));
  if (g.type === 'Polygon') return { ...g, coordinates: fixPolygon(g.coordinates as Ring[]) };
  if (g.type === 'MultiPolygon') return { ...g, coordinates: (g.coordinates as Ring[][]).map(fixPolygon) };
  return geometry;
}

const RAW = JSON.parse(geoText) as CountyCollection;
/** The 21 county outlines, parsed and rewound once; matched to regions by ISO 3166-2 code. */
export const COUNTIES: CountyCollection = { ...RAW, features: RAW.features.map((f) => ({ ...f, geometry: rewind(f.geometry) })) };
