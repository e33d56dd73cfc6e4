-- The staging table holds the rows of the submissions being processed (normally one). Its index cost more while COPY
-- filled it than it saved: the checks and the apply join the staged rows as a whole (hash joins and anti-joins).
DROP INDEX IF EXISTS staging_waiting_episodes_submission_idx;
