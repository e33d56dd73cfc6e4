-- Brokering (vårdförmedling): a case for one patient, opened by the home region's coordinator (or asked for by the
-- patient), requests to receiving units, the patient's choice, the referral with its payment commitment, booking and
-- outcome. Statuses move only through src/domain/case-state.ts; the constraints below hold whatever the concurrency.

CREATE TABLE cases (
  id uuid PRIMARY KEY,
  -- the patient's home region: its coordinators own the case, it pays (betalningsförbindelse)
  region_code char(2) NOT NULL REFERENCES regions(code),
  service_id text NOT NULL REFERENCES services(id),
  guarantee_kind text NOT NULL CHECK (guarantee_kind IN ('primary_contact', 'primary_assessment', 'specialist_first_visit', 'treatment')),
  clock_start date NOT NULL,
  deadline date NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'requested', 'offered', 'chosen', 'booked', 'completed', 'cancelled', 'closed_unresolved')),
  version integer NOT NULL DEFAULT 1,
  origin text NOT NULL CHECK (origin IN ('coordinator', 'patient')),
  -- patient identity: encrypted (AES-256-GCM, src/services/patient-crypto.ts) and a keyed hash for look-up; never in clear
  patient_lookup text NOT NULL,
  patient_identity_enc text NOT NULL,
  patient_name_enc text,
  patient_phone_enc text,
  patient_kind text NOT NULL CHECK (patient_kind IN ('personnummer', 'samordningsnummer')),
  patient_birth_year smallint NOT NULL,
  patient_sex char(1) NOT NULL CHECK (patient_sex IN ('F', 'M')),
  home_municipality char(4) NOT NULL REFERENCES municipalities(code),
  -- preferences: { maxDistanceKm?, unavailableDates?, language?, accessibilityNeeds?, notes? }
  preferences jsonb NOT NULL DEFAULT '{}',
  waiting_record_id text,
  opened_by text NOT NULL,
  opened_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  chosen_request_id uuid,
  referral_id uuid,
  paying_region_code char(2) REFERENCES regions(code),
  commitment_valid_until date,
  booked_date date,
  completed_on date,
  outcome text CHECK (outcome IN ('treated', 'assessed_no_treatment', 'referred_back', 'did_not_attend')),
  end_reason text,
  end_comment text,
  ended_at timestamptz,
  CHECK (deadline >= clock_start),
  CHECK ((status IN ('chosen', 'booked', 'completed')) = (chosen_request_id IS NOT NULL) OR status = 'cancelled'),
  CHECK (status <> 'booked' OR booked_date IS NOT NULL),
  CHECK (status <> 'completed' OR completed_on IS NOT NULL)
);
CREATE INDEX cases_region_status_idx ON cases (region_code, status, deadline);
CREATE INDEX cases_patient_idx ON cases (patient_lookup);
-- one open case per patient and service: a second would send duplicate requests for the same need
CREATE UNIQUE INDEX cases_one_open_per_patient_idx ON cases (patient_lookup, service_id)
  WHERE status IN ('open', 'requested', 'offered', 'chosen', 'booked');

CREATE TABLE requests (
  id uuid PRIMARY KEY,
  case_id uuid NOT NULL REFERENCES cases(id),
  unit_hsa_id text NOT NULL REFERENCES units(hsa_id),
  organization_id text NOT NULL REFERENCES organizations(id),
  status text NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn', 'chosen')),
  version integer NOT NULL DEFAULT 1,
  sent_by text NOT NULL,
  sent_at timestamptz NOT NULL,
  respond_by timestamptz NOT NULL,
  answered_by text,
  answered_at timestamptz,
  offered_date date,
  decline_reason text CHECK (decline_reason IN ('no_capacity', 'service_not_offered', 'medical_criteria', 'cannot_meet_deadline', 'other')),
  decline_comment text,
  closed_at timestamptz,
  -- what the search said when the request was sent (forecast wait, distance …), for the follow-up of days saved
  search_snapshot jsonb NOT NULL DEFAULT '{}',
  CHECK (respond_by > sent_at),
  CHECK (status NOT IN ('accepted', 'chosen') OR offered_date IS NOT NULL),
  CHECK (status <> 'declined' OR decline_reason IS NOT NULL)
);
CREATE INDEX requests_case_idx ON requests (case_id);
CREATE INDEX requests_inbox_idx ON requests (organization_id, status, respond_by);
CREATE INDEX requests_pending_idx ON requests (respond_by) WHERE status = 'pending';
-- a case has at most one chosen request, and at most one open request per unit
CREATE UNIQUE INDEX requests_one_chosen_idx ON requests (case_id) WHERE status = 'chosen';
CREATE UNIQUE INDEX requests_one_open_per_unit_idx ON requests (case_id, unit_hsa_id) WHERE status IN ('pending', 'accepted');

ALTER TABLE cases ADD CONSTRAINT cases_chosen_request_fkey FOREIGN KEY (chosen_request_id) REFERENCES requests(id);
