-- The audit log as several hash chains appended side by side (ADR 0014, amending ADR 0004 and 0011).
--
-- One chain head locked by every audited write until its commit made the commit (its WAL flush) of every audited write
-- in the country a queue of one. Now there are 64 chains, each with its own head row; an instance appends to a chain
-- no other of its transactions is appending to, so audited writes no longer wait for each other's commits. Each chain
-- is hash-linked on its own (`seq` is the position in its chain; the genesis of chain 1 stays 'genesis', of chain n
-- 'genesis:n'); `pos` is the log's order across chains (the order in which events were appended, from a sequence).

ALTER TABLE audit_head DROP CONSTRAINT audit_head_id_check;
ALTER TABLE audit_head ADD CONSTRAINT audit_head_id_check CHECK (id BETWEEN 1 AND 64);
INSERT INTO audit_head (id, seq, hash) SELECT n, 0, 'genesis:' || n FROM generate_series(2, 64) AS n;

ALTER TABLE audit_events ADD COLUMN chain integer NOT NULL DEFAULT 1 CHECK (chain BETWEEN 1 AND 64);
ALTER TABLE audit_events ALTER COLUMN chain DROP DEFAULT;
ALTER TABLE audit_events ADD COLUMN pos bigint;
-- The existing events are chain 1, where the position in the chain is the order of the log: pos = seq. pos is not
-- hashed; the append-only trigger is lifted for this one backfill inside the migration's transaction.
ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update;
UPDATE audit_events SET pos = seq;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update;
CREATE SEQUENCE audit_events_pos_seq OWNED BY audit_events.pos;
SELECT setval('audit_events_pos_seq', COALESCE((SELECT max(seq) FROM audit_events), 0) + 1, false);
ALTER TABLE audit_events ALTER COLUMN pos SET DEFAULT nextval('audit_events_pos_seq');
ALTER TABLE audit_events ALTER COLUMN pos SET NOT NULL;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey;
ALTER TABLE audit_events ADD PRIMARY KEY (chain, seq);
CREATE UNIQUE INDEX audit_events_pos_idx ON audit_events (pos);
