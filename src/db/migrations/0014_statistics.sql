-- Statistics and follow-up (issue 5; definitions in docs/indicators.md).
-- indicator_values is a time series: every computed value is kept, never overwritten. A month is computed first as
-- revision 1; a recomputation adds revision n+1 for a key only when its value or counts changed, so the first published
-- figures stay readable and trends survive later corrections. Values are raw: disclosure control (counts 1–4 and
-- complementary cells) is applied when publishing. '' stands for "none" in view, guarantee_kind, region_code (= the
-- national figure) and breakdown, so that the key can be the primary key on both engines.
CREATE TABLE indicator_values (
  indicator_id text NOT NULL,
  definition_version integer NOT NULL DEFAULT 1,
  period char(7) NOT NULL,
  view text NOT NULL DEFAULT '',
  guarantee_kind text NOT NULL DEFAULT '',
  region_code text NOT NULL DEFAULT '',
  breakdown text NOT NULL DEFAULT '',
  breakdown_value text NOT NULL DEFAULT '',
  revision integer NOT NULL,
  value double precision,
  numerator_count bigint,
  denominator_count bigint,
  computed_at timestamptz NOT NULL,
  -- the newest applied submission (Stockholm date) the figure rests on, when it rests on waiting-list data
  data_as_of date,
  PRIMARY KEY (period, indicator_id, view, guarantee_kind, region_code, breakdown, breakdown_value, revision)
);
CREATE INDEX indicator_values_indicator_idx ON indicator_values (indicator_id, region_code, period);

-- One row per computation of a month: when, by whom, what it wrote. The newest finished run of a period tells the
-- revision readers should see.
CREATE TABLE statistics_runs (
  id bigserial PRIMARY KEY,
  period char(7) NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  rows_written integer NOT NULL DEFAULT 0,
  rows_revised integer NOT NULL DEFAULT 0,
  triggered_by text NOT NULL
);
CREATE INDEX statistics_runs_period_idx ON statistics_runs (period, started_at);

-- Bumped in the transaction of every computation that wrote a value and of every goal change, so that cached public
-- answers are refreshed (as directory_version and waiting_time_version).
CREATE TABLE statistics_version (
  id integer PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL
);
INSERT INTO statistics_version (id, version, updated_at) VALUES (1, 1, now());

-- Goals of the national coordination function: an indicator, a comparison, a target and a date by which it is to be
-- met; national (every region measured against it) or for one region (overrides the national goal for that region).
CREATE TABLE goals (
  id text PRIMARY KEY,
  indicator_id text NOT NULL,
  -- NULL: the goal applies to every region; else only to this one
  region_code char(2) REFERENCES regions (code),
  view text NOT NULL DEFAULT '',
  -- guarantee kinds the goal is assessed on (each must meet it); empty: the indicator's total ('')
  guarantee_kinds text[] NOT NULL DEFAULT '{}',
  comparator text NOT NULL CHECK (comparator IN ('gte', 'lte', 'eq')),
  target double precision NOT NULL,
  due_date date NOT NULL,
  title_sv text NOT NULL,
  title_en text NOT NULL,
  proposed boolean NOT NULL DEFAULT false,
  active boolean NOT NULL DEFAULT true,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1
);

-- The platform's proposed initial goals (docs/indicators.md, "Proposed initial goals"); the coordination function
-- changes them with PUT /api/v1/follow-up/goals/{id}.
INSERT INTO goals (id, indicator_id, region_code, view, guarantee_kinds, comparator, target, due_date, title_sv, title_en, proposed, created_by, created_at, updated_by, updated_at) VALUES
  ('waiting_list_monthly_on_time', 'waiting_list_on_time', NULL, '', '{}', 'gte', 1, '2027-12-31',
   'Varje region lämnar väntelistedata varje månad senast den 20:e', 'Every region submits waiting-list data every month by the 20th', true, 'platform', now(), 'platform', now()),
  ('requests_answered_in_time_90', 'requests_answered_in_time_share', NULL, '', '{}', 'gte', 0.9, '2027-12-31',
   'Minst 90 % av förfrågningarna besvaras inom svarstiden', 'At least 90 % of requests answered within the respond-by time', true, 'platform', now(), 'platform', now()),
  ('waiting_within_guarantee_80', 'within_guarantee_share', NULL, 'excluding_pvv_and_mov', '{specialist_first_visit,treatment}', 'gte', 0.8, '2027-12-31',
   'Minst 80 % av de väntande är inom vårdgarantin', 'At least 80 % of waiting patients within the guarantee', true, 'platform', now(), 'platform', now()),
  ('capacity_reports_fresh', 'fresh_capacity_report_share', NULL, '', '{}', 'gte', 1, '2027-12-31',
   'Varje enhets kapacitetsrapport är yngre än 42 dagar', 'Every unit''s capacity report younger than 42 days', true, 'platform', now(), 'platform', now());
