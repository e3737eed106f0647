-- Ranking v2 (issue 18): runs that reproduce from what they stored.
--
-- checksum_scheme: 2 for runs stored from now on, whose checksums cover
-- exactly the stored inputs (inputs_gz: their JSON, gzipped) and the result
-- rows as stored (changes against the previous run included); 1 for the
-- runs before, whose results checksum was taken before those changes (they
-- keep their plain JSON inputs in inputs and are verified under scheme 1).
-- previous_run_id is the published run the changes are against, so that a
-- verification recomputes them from its stored results. notes keep what a
-- run knew when computed (late data of the published runs before it).

ALTER TABLE ranking_runs ADD COLUMN checksum_scheme INTEGER NOT NULL DEFAULT 1;
ALTER TABLE ranking_runs ADD COLUMN inputs_gz {{bytes}};
ALTER TABLE ranking_runs ADD COLUMN previous_run_id BIGINT REFERENCES ranking_runs (id);
ALTER TABLE ranking_runs ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';
