-- A submission being processed says it is alive: heartbeat_at is moved on while its file is read, checked and applied.
-- A submission still 'processing' whose heartbeat (or, before the first one, its submitted_at) is older than the
-- abandonment limit was left by a process that stopped (crash, kill, restart): the recovery job marks it failed and
-- deletes its staged rows (src/jobs/submission-recovery.job.ts). Nothing of it was applied: the apply is one transaction.
ALTER TABLE submissions ADD COLUMN heartbeat_at timestamptz;
CREATE INDEX submissions_processing_idx ON submissions (submitted_at) WHERE status = 'processing';
