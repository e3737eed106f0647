-- Exam score scales (issue 17): an exam-result file states the top of its
-- score scale (score_max: 100 for raw scores, e.g. 12000 for standard scores,
-- تراز), and where that came from (given with the upload, written in the score
-- header, or the configured default). Every candidate keeps the scale its
-- score was read on; one exam year holds one scale, so that allocation, which
-- compares the scores of one exam year, compares like with like.
-- docs/exam-import.md describes it. Imports before this migration were all
-- read on the default scale of 100.

ALTER TABLE exam_imports ADD COLUMN score_max {{float}} NOT NULL DEFAULT 100 CHECK (score_max > 0);
ALTER TABLE exam_imports ADD COLUMN score_scale TEXT NOT NULL DEFAULT 'default' CHECK (score_scale IN ('given', 'header', 'default'));
ALTER TABLE candidates ADD COLUMN score_max {{float}} NOT NULL DEFAULT 100 CHECK (score_max > 0);
