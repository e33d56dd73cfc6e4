import type { z } from 'zod';
import type { AnchorListOut } from '../../src/http/routes/audit.routes.js';
/** Typed calls to the platform's own API (same origin, so the session cookie goes along). */

export interface Me {
  authenticated: boolean;
  subject: string;
  roles: string[];
  regionCode?: string;
  organizationId?: string;
  displayName?: string;
  /** a patient's home municipality, when the login verified who they are */
  homeMunicipality?: string;
  mode: 'demo' | 'sandbox' | 'production';
  oidc: boolean;
  /** patients can log in with e-legitimation (GET /auth/citizen/login) */
  citizenLogin: boolean;
}
export interface LatLng { lat: number; lng: number }
export interface Region { code: string; name: string; county: string; iso3166_2: string; seat: string; populationApprox: number; location: LatLng; unitCount: number }
export interface Municipality { code: string; name: string; regionCode: string; location: LatLng }
export interface Service { id: string; name: { sv: string; en: string }; contactType: string; specialty: string; kvaCodes: string[]; source: string | null }
export interface Unit { hsaId: string; name: string; organizationId: string; regionCode: string; municipalityCode: string; location: LatLng; kind: string; serviceIds: string[]; synthetic: boolean }
export interface Page<T> { items: T[]; nextCursor: string | null }
/** The audit chains' published daily anchors (the route's own schema, type-only). */
export type AuditAnchors = z.infer<typeof AnchorListOut>;
export interface DemoPerson { id: string; displayName: string; roles: string[]; regionCode?: string; organizationId?: string; description: { sv: string; en: string } }

/** An API answer that was not OK; `detail` is the problem+json text when the server sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    /** Field errors of a 422 (problem+json `errors`), when the server sent them. */
    readonly errors: { field?: string; message: string }[] = [],
    /** The whole problem+json answer, for the extra fields some problems carry (e.g. `askFrom`). */
    readonly problem: Record<string, unknown> = {},
  ) {
    super(`HTTP ${status}: ${detail}`);
  }
}

export async function request<T>(
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
  headers: Record<string, string> = {},
  /** 'no-cache': ask the server even when the browser keeps a fresh copy (public answers may be kept for 5 s) — for what the page is about to change */
  cache?: RequestCache,
): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    ...(cache ? { cache } : {}),
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) {
    let detail = res.statusText;
    let errors: { field?: string; message: string }[] = [];
    let problem: Record<string, unknown> = {};
    try {
      const p = (await res.json()) as { detail?: string; title?: string; errors?: { field?: string; message: string }[] };
      problem = p as Record<string, unknown>;
      detail = p.detail ?? p.title ?? detail;
      if (Array.isArray(p.errors)) errors = p.errors;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(res.status, detail, errors, problem);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const api = {
  me: (signal?: AbortSignal) => request<Me>('GET', '/api/v1/me', undefined, signal),
  logout: () => request<void>('POST', '/auth/logout'),
  regions: (service?: string, signal?: AbortSignal) => request<{ items: Region[] }>('GET', `/api/v1/regions${qs({ service })}`, undefined, signal),
  municipalities: (region?: string, signal?: AbortSignal) => request<{ items: Municipality[] }>('GET', `/api/v1/municipalities${qs({ region })}`, undefined, signal),
  services: (signal?: AbortSignal) => request<{ items: Service[] }>('GET', '/api/v1/services', undefined, signal),
  units: (f: { region?: string; municipality?: string; service?: string; cursor?: string; limit?: number }, signal?: AbortSignal) =>
    request<Page<Unit>>('GET', `/api/v1/units${qs(f)}`, undefined, signal),
  demoPeople: (signal?: AbortSignal) => request<{ items: DemoPerson[] }>('GET', '/auth/demo/people', undefined, signal),
  demoLogin: (personId: string) => request<void>('POST', '/auth/demo/login', { personId }),
  auditAnchors: (limit: number, signal?: AbortSignal) => request<AuditAnchors>('GET', `/api/v1/audit/anchors${qs({ limit })}`, undefined, signal),
};

/** True when a fetch was cancelled because the component moved on; such errors are not shown. */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
