-- Jobs across replicas. A cluster job runs once per firing across every
-- replica: the replica that runs it claims the firing (its scheduled time,
-- or a manual firing's own key) with a row whose (job, firing) is unique,
-- in the transaction that holds the job's lock. A skipped firing claims its
-- row too (status skipped), so every firing is accounted for once. Local
-- refreshes run on every replica and are recorded per instance with no
-- firing key (NULLs never collide in a unique index, on either engine).
ALTER TABLE job_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'cluster' CHECK (kind IN ('cluster', 'local'));
ALTER TABLE job_runs ADD COLUMN firing TEXT;
ALTER TABLE job_runs ADD COLUMN scheduled_at {{ts}};
ALTER TABLE job_runs ADD COLUMN requested_by TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX job_runs_firing ON job_runs (job, firing);
CREATE INDEX job_runs_status ON job_runs (job, status);
