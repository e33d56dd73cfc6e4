import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { CasePreferences } from '../domain/case-state.js';

/** Row types of every table, written by hand to match src/db/migrations (Kysely needs no code generation). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface RegionsTable {
  code: string;
  name: string;
  county: string;
  iso3166_2: string;
  seat: string;
  population_approx: number;
  lat: number;
  lng: number;
}

export interface MunicipalitiesTable {
  code: string;
  name: string;
  region_code: string;
  lat: number;
  lng: number;
}

export interface OrganizationsTable {
  id: string;
  name: string;
  organization_number: string;
  kind: 'region' | 'private';
  region_code: string | null;
  synthetic: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ServicesTable {
  id: string;
  name_sv: string;
  name_en: string;
  contact_type: 'first_visit' | 'treatment' | 'primary_assessment';
  specialty: string;
  kva_codes: Generated<string[]>;
  source: string | null;
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UnitsTable {
  hsa_id: string;
  name: string;
  organization_id: string;
  region_code: string;
  municipality_code: string;
  lat: number;
  lng: number;
  kind: Generated<'hospital' | 'clinic' | 'primary_care'>;
  synthetic: Generated<boolean>;
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UnitServicesTable {
  unit_hsa_id: string;
  service_id: string;
}

/** A declared equivalent: a unit offering `equivalent_id` can take a patient who needs `service_id` (0016). */
export interface ServiceEquivalentsTable {
  service_id: string;
  equivalent_id: string;
  declared_at: Timestamp;
}

export interface ClientsTable {
  id: string;
  name: string;
  roles: string[];
  region_code: string | null;
  organization_id: string | null;
  unit_hsa_id: string | null;
  secret_hash: string | null;
  jwks: JSONColumnType<{ keys: Record<string, unknown>[] }, string | null, string | null> | null;
  synthetic: Generated<boolean>;
  disabled: Generated<boolean>;
  created_at: Timestamp;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk: JSONColumnType<Record<string, unknown>, string, string>;
  public_jwk: JSONColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
  retired_at: Timestamp | null;
  expires_at: Timestamp | null;
}

export interface ClientAssertionJtisTable {
  client_id: string;
  jti: string;
  expires_at: Timestamp;
}

export interface AuditEventsTable {
  /** the audit chain (1–64, ADR 0014) */
  chain: number;
  /** the position in its chain, from 1 */
  seq: number;
  /** the order of the whole log across chains (a sequence; not hashed) */
  pos: Generated<number>;
  id: string;
  occurred_at: Timestamp;
  actor_subject: string;
  actor_roles: string[];
  actor_region_code: string | null;
  actor_organization_id: string | null;
  actor_unit_hsa_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  outcome: 'success' | 'denied' | 'failure';
  request_id: string | null;
  patient_ref: string | null;
  details: JSONColumnType<Record<string, unknown>, string, string>;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface AuditAnchorsTable {
  day: string;
  taken_at: Date;
  heads: JSONColumnType<{ chain: number; seq: number; hash: string }[], string, string>;
  digest: string;
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status: number;
  response: ColumnType<unknown, string | null, string | null>;
  created_at: Timestamp;
}

export interface SubmissionsTable {
  id: string;
  kind: 'waiting_list' | 'capacity';
  region_code: string | null;
  organization_id: string | null;
  mode: 'delta' | 'snapshot' | null;
  dry_run: Generated<boolean>;
  content_type: string;
  content_sha256: string;
  bytes: number;
  status: 'processing' | 'rejected' | 'validated' | 'applied' | 'failed';
  submitted_by: string;
  submitted_at: Timestamp;
  finished_at: Timestamp | null;
  /** moved on while the submission is processed; see 0009_submission_heartbeat.sql */
  heartbeat_at: ColumnType<Date | null, string | null | undefined, string | null>;
  received: number | null;
  inserted: number | null;
  updated: number | null;
  removed: number | null;
  unchanged: number | null;
  error_count: Generated<number>;
  errors: ColumnType<{ line?: number; field?: string; message: string }[], string | undefined, string>;
}

export interface WaitingEpisodesTable {
  region_code: string;
  record_id: string;
  unit_hsa_id: string;
  service_id: string;
  patient_key: string;
  sex: 'F' | 'M' | 'U';
  birth_year: number;
  home_municipality: string;
  clock_start: string;
  patient_chosen_days: number;
  medical_pause_days: number;
  status: 'waiting' | 'completed' | 'removed';
  completed_on: string | null;
  booked_on: string | null;
  first_submission_id: string;
  last_submission_id: string;
  updated_at: Timestamp;
}

/** Scratch rows of one waiting-list submission (0006); deleted after the submission is applied or rejected. */
export interface StagingWaitingEpisodesTable {
  submission_id: string;
  line_no: number;
  record_id: string;
  region_code: string;
  unit_hsa_id: string;
  service_id: string;
  patient_key: string;
  sex: string;
  birth_year: number;
  home_municipality: string;
  clock_start: string;
  patient_chosen_days: number;
  medical_pause_days: number;
  status: string;
  completed_on: string | null;
  booked_on: string | null;
}

export interface CapacityReportsTable {
  unit_hsa_id: string;
  service_id: string;
  valid_from: string;
  expected_wait_days: number;
  weekly_capacity_for_other_regions: number;
  accepts_other_regions: boolean;
  comment: string | null;
  reported_by: string;
  reported_at: Timestamp;
  submission_id: string | null;
}

export interface DirectoryVersionTable {
  id: number;
  version: number;
}

export interface SchemaMigrationsTable {
  id: string;
  applied_at: Timestamp;
}

/** 0005: precomputed waiting-time figures (src/db/waiting-times.repository.ts). */
export interface WaitingTimeStatsTable {
  level: 'unit' | 'region' | 'national';
  unit_hsa_id: string | null;
  region_code: string | null;
  service_id: string;
  view: 'excluding_pvv' | 'excluding_pvv_and_mov';
  waiting_count: number;
  median_waited_days: number | null;
  p90_waited_days: number | null;
  share_within_guarantee: number | null;
  completed_last_90_days: number;
  median_completed_wait_days: number | null;
  forecast_wait_days: number | null;
  data_as_of: string;
  computed_on: string;
}

export interface WaitingTimeVersionTable {
  id: number;
  version: number;
}

/** Dates read as 'YYYY-MM-DD' strings (the pg type parser and PGlite agree, src/db/connect.ts). */
type DateColumn = ColumnType<string, string, string>;

export interface CaseRow {
  id: string;
  region_code: string;
  service_id: string;
  guarantee_kind: 'primary_contact' | 'primary_assessment' | 'specialist_first_visit' | 'treatment';
  clock_start: DateColumn;
  deadline: DateColumn;
  status: 'open' | 'requested' | 'offered' | 'chosen' | 'booked' | 'completed' | 'cancelled' | 'closed_unresolved';
  version: Generated<number>;
  origin: 'coordinator' | 'patient';
  patient_lookup: string;
  patient_identity_enc: string;
  patient_name_enc: string | null;
  patient_phone_enc: string | null;
  patient_kind: 'personnummer' | 'samordningsnummer';
  patient_birth_year: number;
  patient_sex: 'F' | 'M';
  home_municipality: string;
  preferences: JSONColumnType<CasePreferences, string, string>;
  waiting_record_id: string | null;
  opened_by: string;
  opened_at: Timestamp;
  updated_at: Timestamp;
  chosen_request_id: string | null;
  referral_id: string | null;
  paying_region_code: string | null;
  commitment_valid_until: ColumnType<string | null, string | null | undefined, string | null>;
  booked_date: ColumnType<string | null, string | null | undefined, string | null>;
  completed_on: ColumnType<string | null, string | null | undefined, string | null>;
  outcome: 'treated' | 'assessed_no_treatment' | 'referred_back' | 'did_not_attend' | null;
  end_reason: string | null;
  end_comment: string | null;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** moves on with every change to the case or one of its requests (ADR 0016); not shown outside */
  change_seq: Generated<number>;
}
export type CasesTable = CaseRow;

/** A case's preferences as stored (src/domain/case-state.ts). */
export type { CasePreferences } from '../domain/case-state.js';

export interface RequestsTable {
  id: string;
  case_id: string;
  unit_hsa_id: string;
  organization_id: string;
  status: 'pending' | 'accepted' | 'declined' | 'expired' | 'withdrawn' | 'chosen';
  version: Generated<number>;
  sent_by: string;
  sent_at: Timestamp;
  respond_by: Timestamp;
  answered_by: string | null;
  answered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  offered_date: ColumnType<string | null, string | null | undefined, string | null>;
  decline_reason: 'no_capacity' | 'service_not_offered' | 'medical_criteria' | 'cannot_meet_deadline' | 'other' | null;
  decline_comment: string | null;
  closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  search_snapshot: JSONColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface OutboxEventsTable {
  seq: Generated<number>;
  id: string;
  type: string;
  case_id: string | null;
  region_code: string | null;
  organization_id: string | null;
  payload: JSONColumnType<Record<string, unknown>, string, string>;
  occurred_at: Timestamp;
}

export interface WebhookSubscriptionsTable {
  id: string;
  region_code: string | null;
  organization_id: string | null;
  url: string;
  secret_encrypted: string;
  event_types: ColumnType<string[], string[] | undefined, string[]>;
  description: string | null;
  active: Generated<boolean>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

export interface WebhookDeliveriesTable {
  id: string;
  subscription_id: string;
  event_seq: number;
  event_id: string;
  case_id: string | null;
  status: 'pending' | 'delivered' | 'dead';
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  give_up_at: Timestamp;
  last_attempt_at: Timestamp | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Timestamp | null;
  dead_at: Timestamp | null;
  created_at: Timestamp;
}

export interface WebhookFanoutCursorTable {
  id: number;
  /** xid8, as text */
  last_xid: string;
  last_seq: number;
  updated_at: Timestamp | null;
}

/** Statistics and follow-up (0014): see docs/indicators.md. '' is "none" in view, guarantee_kind, region_code, breakdown. */
export interface IndicatorValuesTable {
  indicator_id: string;
  definition_version: Generated<number>;
  period: string;
  view: Generated<string>;
  guarantee_kind: Generated<string>;
  region_code: Generated<string>;
  breakdown: Generated<string>;
  breakdown_value: Generated<string>;
  revision: number;
  value: number | null;
  numerator_count: number | null;
  denominator_count: number | null;
  computed_at: Timestamp;
  data_as_of: ColumnType<string | null, string | null, string | null>;
}

export interface StatisticsRunsTable {
  id: Generated<number>;
  period: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  rows_written: Generated<number>;
  rows_revised: Generated<number>;
  triggered_by: string;
}

export interface StatisticsVersionTable {
  id: number;
  version: number;
  updated_at: Timestamp;
}

export interface GoalsTable {
  id: string;
  indicator_id: string;
  region_code: string | null;
  view: Generated<string>;
  guarantee_kinds: Generated<string[]>;
  comparator: 'gte' | 'lte' | 'eq';
  target: number;
  due_date: ColumnType<string, string, string>;
  title_sv: string;
  title_en: string;
  proposed: Generated<boolean>;
  active: Generated<boolean>;
  created_by: string;
  created_at: Timestamp;
  updated_by: string;
  updated_at: Timestamp;
  version: Generated<number>;
}

export interface DB {
  regions: RegionsTable;
  municipalities: MunicipalitiesTable;
  organizations: OrganizationsTable;
  services: ServicesTable;
  units: UnitsTable;
  unit_services: UnitServicesTable;
  service_equivalents: ServiceEquivalentsTable;
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  client_assertion_jtis: ClientAssertionJtisTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  audit_anchors: AuditAnchorsTable;
  idempotency_keys: IdempotencyKeysTable;
  schema_migrations: SchemaMigrationsTable;
  directory_version: DirectoryVersionTable;
  submissions: SubmissionsTable;
  waiting_episodes: WaitingEpisodesTable;
  staging_waiting_episodes: StagingWaitingEpisodesTable;
  capacity_reports: CapacityReportsTable;
  waiting_time_stats: WaitingTimeStatsTable;
  waiting_time_version: WaitingTimeVersionTable;
  cases: CasesTable;
  requests: RequestsTable;
  outbox_events: OutboxEventsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_fanout_cursor: WebhookFanoutCursorTable;
  indicator_values: IndicatorValuesTable;
  statistics_runs: StatisticsRunsTable;
  statistics_version: StatisticsVersionTable;
  goals: GoalsTable;
}
