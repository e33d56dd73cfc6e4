-- Staging for waiting-list submissions: the valid rows of one file are COPYed here (keyed by submission), checked against
-- the directory set-based, applied to waiting_episodes in one transaction and then deleted. UNLOGGED: it is scratch space,
-- a crash only loses submissions that were never applied. No constraints, so that COPY runs at full speed.
CREATE UNLOGGED TABLE staging_waiting_episodes (
  submission_id uuid NOT NULL,
  line_no integer NOT NULL,
  record_id text NOT NULL,
  region_code text NOT NULL,
  unit_hsa_id text NOT NULL,
  service_id text NOT NULL,
  patient_key text NOT NULL,
  sex text NOT NULL,
  birth_year integer NOT NULL,
  home_municipality text NOT NULL,
  clock_start date NOT NULL,
  patient_chosen_days integer NOT NULL,
  medical_pause_days integer NOT NULL,
  status text NOT NULL,
  completed_on date,
  booked_on date
);
CREATE INDEX staging_waiting_episodes_submission_idx ON staging_waiting_episodes (submission_id, record_id);
