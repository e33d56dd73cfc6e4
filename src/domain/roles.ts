/** The roles of the public contract (spec/contract-v1.md, "Identity and access"). */
export const ROLES = ['public', 'patient', 'coordinator', 'provider', 'region-reporter', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** Roles a token can carry (public means "no token"). */
export const TOKEN_ROLES = ROLES.filter((r): r is Exclude<Role, 'public'> => r !== 'public');
export type TokenRole = Exclude<Role, 'public'>;

/** Who is calling: what the access token says, or the anonymous public. */
export interface Principal {
  /** client id or person id; 'anonymous' for the public */
  subject: string;
  roles: Role[];
  /** region the coordinator / reporter acts for */
  regionCode?: string | undefined;
  /** provider organisation the caller acts for */
  organizationId?: string | undefined;
  /** unit the caller acts for, when narrowed to one unit */
  unitHsaId?: string | undefined;
  /** display name for people logged in through the web */
  displayName?: string | undefined;
  /** a patient logged in through the citizen identity provider: their verified personnummer, sealed (AES-256-GCM under
   * PATIENT_DATA_KEY, src/services/patient-crypto.ts) so that the token never carries it readable */
  patientIdentity?: string | undefined;
}

export const ANONYMOUS: Principal = { subject: 'anonymous', roles: ['public'] };

/** Access a route declares: 'public', or the roles of which the caller needs at least one. */
export type Access = 'public' | { roles: readonly TokenRole[] };

/** Whether a principal satisfies a route's declared access (scope checks by region/organisation happen in services). */
export function allows(access: Access, principal: Principal): boolean {
  if (access === 'public') return true;
  return principal.roles.some((r) => (access.roles as readonly Role[]).includes(r));
}
