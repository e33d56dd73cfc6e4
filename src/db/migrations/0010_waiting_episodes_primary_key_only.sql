-- Every read of waiting_episodes filters by region (the primary key's prefix) or reads the whole table (the national
-- figures): the two secondary indexes served no query and cost about a third of the time of inserting a national file
-- (measured: 1,000,000 rows 6.0 s with them, 4.1 s without). ADR 0010.
DROP INDEX IF EXISTS waiting_episodes_service_unit_idx;
DROP INDEX IF EXISTS waiting_episodes_region_service_idx;
