-- Precomputed waiting-time figures (contract "Waiting times"): one row per level (unit, region, national), service and
-- statistical view, recomputed by refreshWaitingTimes() inside the transaction that applies a waiting-list submission.
-- Reads are served from here; the raw figures are stored unsuppressed: small-cell protection is applied when answering.

CREATE TABLE waiting_time_stats (
  level text NOT NULL CHECK (level IN ('unit', 'region', 'national')),
  unit_hsa_id text,
  region_code char(2),
  service_id text NOT NULL,
  view text NOT NULL CHECK (view IN ('excluding_pvv', 'excluding_pvv_and_mov')),
  waiting_count integer NOT NULL CHECK (waiting_count >= 0),
  median_waited_days integer,
  p90_waited_days integer,
  share_within_guarantee double precision CHECK (share_within_guarantee BETWEEN 0 AND 1),
  completed_last_90_days integer NOT NULL CHECK (completed_last_90_days >= 0),
  median_completed_wait_days integer,
  -- the queue model's figure (src/domain/forecast.ts), null when the data are too thin; the read adds the reported fallback
  forecast_wait_days integer,
  data_as_of date NOT NULL,
  computed_on date NOT NULL,
  CHECK ((level = 'unit') = (unit_hsa_id IS NOT NULL)),
  CHECK ((level = 'national') = (region_code IS NULL))
);
CREATE UNIQUE INDEX waiting_time_stats_key_idx ON waiting_time_stats (service_id, view, level, COALESCE(region_code, ''), COALESCE(unit_hsa_id, ''));
CREATE INDEX waiting_time_stats_region_idx ON waiting_time_stats (region_code, level);
-- the breach forecast looks up each waiting episode's unit throughput
CREATE INDEX waiting_time_stats_unit_idx ON waiting_time_stats (unit_hsa_id, service_id, view) WHERE level = 'unit';

-- Bumped by every refresh: public answers may be cached while it stays the same.
CREATE TABLE waiting_time_version (
  id smallint PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL
);
INSERT INTO waiting_time_version (id, version) VALUES (1, 0);

-- The public waiting-times answer shows the current capacity reports too: its cache version includes the newest report time.
CREATE INDEX capacity_reports_reported_at_idx ON capacity_reports (reported_at);
