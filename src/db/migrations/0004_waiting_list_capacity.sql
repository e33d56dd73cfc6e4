-- Reporting: submissions (waiting-list and capacity files), the national waiting list (one row per waiting episode,
-- pseudonymised) and the units' self-reported capacity and expected waits, with history by valid_from.

CREATE TABLE submissions (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('waiting_list', 'capacity')),
  region_code char(2) REFERENCES regions(code),
  organization_id text REFERENCES organizations(id),
  mode text CHECK (mode IN ('delta', 'snapshot')),
  dry_run boolean NOT NULL DEFAULT false,
  content_type text NOT NULL,
  content_sha256 text NOT NULL,
  bytes bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('processing', 'rejected', 'validated', 'applied', 'failed')),
  submitted_by text NOT NULL,
  submitted_at timestamptz NOT NULL,
  finished_at timestamptz,
  received integer,
  inserted integer,
  updated integer,
  removed integer,
  unchanged integer,
  error_count integer NOT NULL DEFAULT 0,
  -- the first 1,000 errors: [{ line, field, message }]
  errors jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX submissions_region_idx ON submissions (kind, region_code, submitted_at DESC);
-- A byte-identical file applied again is a no-op that answers with the first result (contract).
CREATE UNIQUE INDEX submissions_applied_content_idx ON submissions (kind, region_code, mode, content_sha256)
  WHERE status = 'applied' AND NOT dry_run;

CREATE TABLE waiting_episodes (
  region_code char(2) NOT NULL REFERENCES regions(code),
  record_id text NOT NULL CHECK (length(record_id) BETWEEN 1 AND 64),
  unit_hsa_id text NOT NULL REFERENCES units(hsa_id),
  service_id text NOT NULL REFERENCES services(id),
  patient_key char(64) NOT NULL,
  sex char(1) NOT NULL CHECK (sex IN ('F', 'M', 'U')),
  birth_year smallint NOT NULL CHECK (birth_year >= 1900),
  home_municipality char(4) NOT NULL REFERENCES municipalities(code),
  clock_start date NOT NULL,
  patient_chosen_days integer NOT NULL CHECK (patient_chosen_days >= 0),
  medical_pause_days integer NOT NULL CHECK (medical_pause_days >= 0),
  status text NOT NULL CHECK (status IN ('waiting', 'completed', 'removed')),
  completed_on date,
  booked_on date,
  first_submission_id uuid NOT NULL REFERENCES submissions(id),
  last_submission_id uuid NOT NULL REFERENCES submissions(id),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (region_code, record_id),
  CHECK (status <> 'completed' OR completed_on IS NOT NULL),
  CHECK (status <> 'waiting' OR completed_on IS NULL),
  CHECK (completed_on IS NULL OR completed_on >= clock_start)
);
CREATE INDEX waiting_episodes_service_unit_idx ON waiting_episodes (service_id, unit_hsa_id, status);
CREATE INDEX waiting_episodes_region_service_idx ON waiting_episodes (region_code, service_id, status);

CREATE TABLE capacity_reports (
  unit_hsa_id text NOT NULL REFERENCES units(hsa_id),
  service_id text NOT NULL REFERENCES services(id),
  valid_from date NOT NULL,
  expected_wait_days integer NOT NULL CHECK (expected_wait_days BETWEEN 0 AND 3650),
  weekly_capacity_for_other_regions integer NOT NULL CHECK (weekly_capacity_for_other_regions BETWEEN 0 AND 100000),
  accepts_other_regions boolean NOT NULL,
  comment text CHECK (length(comment) <= 1000),
  reported_by text NOT NULL,
  reported_at timestamptz NOT NULL,
  submission_id uuid REFERENCES submissions(id),
  PRIMARY KEY (unit_hsa_id, service_id, valid_from)
);
CREATE INDEX capacity_reports_service_idx ON capacity_reports (service_id, unit_hsa_id, valid_from DESC);
