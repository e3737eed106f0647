-- Exam-result intake (issue 3): the imports of the assessment organisation's
-- result files, what each refused and why, and the candidates they created.
-- docs/exam-import.md describes the flow.

-- One row per file taken in (never for a dry run). The content hash with the
-- sheet asked for ('' for CSV or the first sheet) is unique: the same file
-- uploaded again returns this import's report, and two identical uploads at
-- once create one import.
CREATE TABLE exam_imports (
    id               {{id}},
    content_sha256   TEXT NOT NULL,
    exam_year        INTEGER NOT NULL,
    file_name        TEXT NOT NULL DEFAULT '',
    format           TEXT NOT NULL CHECK (format IN ('csv', 'xlsx')),
    encoding         TEXT NOT NULL DEFAULT '',
    sheet            TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('accepted', 'partially_accepted', 'refused')),
    rows_read        INTEGER NOT NULL,
    accepted         INTEGER NOT NULL,
    refused          INTEGER NOT NULL,
    passed           INTEGER NOT NULL,
    not_passed       INTEGER NOT NULL,
    header_row       INTEGER NOT NULL,
    header           TEXT NOT NULL,
    column_map       TEXT NOT NULL,
    ignored_columns  TEXT NOT NULL DEFAULT '[]',
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       {{ts}} NOT NULL,
    UNIQUE (content_sha256, sheet)
);
CREATE INDEX exam_imports_year ON exam_imports (exam_year, created_at);

-- Every reason a row was refused: one row per (file row, column, reason).
-- value is the offending cell as read, national codes masked.
CREATE TABLE exam_import_rejections (
    import_id    BIGINT NOT NULL REFERENCES exam_imports (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    row_number   INTEGER NOT NULL,
    column_name  TEXT NOT NULL,
    value        TEXT NOT NULL,
    code         TEXT NOT NULL,
    reason_fa    TEXT NOT NULL,
    reason_en    TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- The original cells of every refused row, for rejections.xlsx: a JSON array
-- encrypted with AES-256-GCM (it carries a national code).
CREATE TABLE exam_import_refused_rows (
    import_id   BIGINT NOT NULL REFERENCES exam_imports (id) ON DELETE CASCADE,
    row_number  INTEGER NOT NULL,
    cells       {{bytes}} NOT NULL,
    PRIMARY KEY (import_id, row_number)
);

-- Candidates of one exam year. The national code is never stored in clear:
-- an HMAC-SHA256 keyed hash (lookups, one candidate per exam year), the
-- masked form (******1234) and an AES-256-GCM ciphertext only admins open.
CREATE TABLE candidates (
    id                    {{id}},
    import_id             BIGINT NOT NULL REFERENCES exam_imports (id),
    exam_year             INTEGER NOT NULL,
    source_row            INTEGER NOT NULL,
    national_code_hash    TEXT NOT NULL,
    national_code_masked  TEXT NOT NULL,
    national_code_enc     {{bytes}} NOT NULL,
    first_name            TEXT NOT NULL,
    last_name             TEXT NOT NULL,
    search_text           TEXT NOT NULL DEFAULT '',
    gender                TEXT CHECK (gender IN ('male', 'female')),
    birth_date            TEXT,
    exam_province         TEXT NOT NULL REFERENCES regions (code),
    score                 {{float}} NOT NULL CHECK (score >= 0),
    exam_rank             INTEGER CHECK (exam_rank >= 1),
    result                TEXT NOT NULL CHECK (result IN ('passed', 'not_passed')),
    preferences           TEXT NOT NULL DEFAULT '[]',
    state                 TEXT NOT NULL CHECK (state IN ('not_passed', 'passed', 'documents_submitted', 'approved', 'rejected', 'allocated', 'licensed')),
    state_reason          TEXT NOT NULL DEFAULT '',
    allocated_region      TEXT REFERENCES regions (code),
    version               BIGINT NOT NULL DEFAULT 1,
    created_at            {{ts}} NOT NULL,
    updated_at            {{ts}} NOT NULL,
    UNIQUE (exam_year, national_code_hash)
);
CREATE INDEX candidates_import ON candidates (import_id);
CREATE INDEX candidates_year_state ON candidates (exam_year, state);
CREATE INDEX candidates_province ON candidates (exam_province, state);
CREATE INDEX candidates_year_score ON candidates (exam_year, score);
