-- The references of a waiting episode (unit, service offered by the unit, home municipality) are checked set-based on
-- the staged rows before every apply (src/db/waiting-list.repository.ts, checkStaged); the region is the submitter's and
-- the submission ids are the platform's own; directory rows are never deleted (units and services are deactivated).
-- Foreign-key triggers checked them again row by row and took about 70 % of the time of a national import (ADR 0009).
ALTER TABLE waiting_episodes DROP CONSTRAINT IF EXISTS waiting_episodes_region_code_fkey;
ALTER TABLE waiting_episodes DROP CONSTRAINT IF EXISTS waiting_episodes_unit_hsa_id_fkey;
ALTER TABLE waiting_episodes DROP CONSTRAINT IF EXISTS waiting_episodes_service_id_fkey;
ALTER TABLE waiting_episodes DROP CONSTRAINT IF EXISTS waiting_episodes_home_municipality_fkey;
ALTER TABLE waiting_episodes DROP CONSTRAINT IF EXISTS waiting_episodes_first_submission_id_fkey;
ALTER TABLE waiting_episodes DROP CONSTRAINT IF EXISTS waiting_episodes_last_submission_id_fkey;
