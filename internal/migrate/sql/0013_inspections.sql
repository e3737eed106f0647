-- Inspections: versioned checklists and their items, each inspection's
-- answer to every item, the corrective actions a failed item calls for and
-- their history, and the assignments that plan inspections from the risk
-- worklist. All of it belongs to ranking/inspections.
--
-- The inspections table (0006) keeps its columns and meaning: minor, major
-- and critical still count the findings the ranking reads. It gains the
-- checklist version the inspection answered (NULL for free-text findings,
-- as every row before this migration), the inspector's account id and the
-- assignment it fulfilled.

CREATE TABLE inspection_checklists (
    version     INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    created_at  {{ts}} NOT NULL,
    created_by  TEXT NOT NULL
);

-- A version's items, in the order the inspector answers them. Versions are
-- never edited: a change is a new version.
CREATE TABLE inspection_checklist_items (
    checklist_version  INTEGER NOT NULL REFERENCES inspection_checklists (version),
    code               TEXT NOT NULL,
    position           INTEGER NOT NULL,
    title_fa           TEXT NOT NULL,
    title_en           TEXT NOT NULL,
    severity           TEXT NOT NULL CHECK (severity IN ('minor', 'major', 'critical')),
    PRIMARY KEY (checklist_version, code)
);

ALTER TABLE inspections ADD COLUMN checklist_version INTEGER REFERENCES inspection_checklists (version);
-- The account that recorded it, as the audit log keeps its actor: no
-- reference, the row stays what it was whatever happens to the account.
ALTER TABLE inspections ADD COLUMN inspector_id BIGINT;

-- One answer per item of the inspection's checklist; severity is the
-- item's, copied so a result reads alone.
CREATE TABLE inspection_results (
    inspection_id  BIGINT NOT NULL REFERENCES inspections (id),
    item_code      TEXT NOT NULL,
    result         TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'not_applicable')),
    severity       TEXT NOT NULL CHECK (severity IN ('minor', 'major', 'critical')),
    note           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (inspection_id, item_code)
);

-- An inspection planned for an inspector: assigned until an inspection of
-- the office is recorded (done) or staff cancel it. At most one is open per
-- office.
CREATE TABLE inspection_assignments (
    id             {{id}},
    office_id      BIGINT NOT NULL REFERENCES offices (id),
    inspector_id   BIGINT NOT NULL REFERENCES users (id),
    inspector      TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    risk_score     {{float}},
    state          TEXT NOT NULL CHECK (state IN ('assigned', 'done', 'cancelled')),
    inspection_id  BIGINT REFERENCES inspections (id),
    note           TEXT NOT NULL DEFAULT '',
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     {{ts}} NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     {{ts}} NOT NULL
);
CREATE UNIQUE INDEX inspection_assignments_open ON inspection_assignments (office_id) WHERE state = 'assigned';
CREATE INDEX inspection_assignments_inspector ON inspection_assignments (inspector_id, state, due_on);
CREATE INDEX inspection_assignments_state ON inspection_assignments (state, due_on);

ALTER TABLE inspections ADD COLUMN assignment_id BIGINT REFERENCES inspection_assignments (id);

-- What a failed item (or a free-text finding) asks the office to fix, due
-- on a Tehran day set by its severity. open ▸ done (the owner, with a note)
-- ▸ confirmed (a follow-up inspection or staff) | reopened ▸ done again.
-- confirmed_at never changes once set, so the actions overdue at any past
-- moment can be counted again. At most one action per office and item is
-- unconfirmed: a repeated failure reopens it instead of adding another.
CREATE TABLE corrective_actions (
    id                    {{id}},
    office_id             BIGINT NOT NULL REFERENCES offices (id),
    inspection_id         BIGINT NOT NULL REFERENCES inspections (id),
    item_code             TEXT NOT NULL,
    severity              TEXT NOT NULL CHECK (severity IN ('minor', 'major', 'critical')),
    finding               TEXT NOT NULL,
    state                 TEXT NOT NULL CHECK (state IN ('open', 'done', 'confirmed', 'reopened')),
    due_on                TEXT NOT NULL,
    done_at               {{ts}},
    done_by               TEXT,
    done_note             TEXT,
    reviewed_at           {{ts}},
    reviewed_by           TEXT,
    review_note           TEXT,
    review_inspection_id  BIGINT REFERENCES inspections (id),
    confirmed_at          {{ts}},
    reopened              INTEGER NOT NULL DEFAULT 0,
    version               BIGINT NOT NULL DEFAULT 1,
    created_at            {{ts}} NOT NULL,
    updated_at            {{ts}} NOT NULL
);
CREATE INDEX corrective_actions_office ON corrective_actions (office_id, state);
CREATE INDEX corrective_actions_due ON corrective_actions (due_on);
CREATE INDEX corrective_actions_inspection ON corrective_actions (inspection_id);
CREATE UNIQUE INDEX corrective_actions_pending ON corrective_actions (office_id, item_code) WHERE state <> 'confirmed';

-- Each action's history: created, done, confirmed, reopened, with who, the
-- note and the inspection that did it (NULL when a person did it by hand).
CREATE TABLE corrective_action_events (
    id             {{id}},
    action_id      BIGINT NOT NULL REFERENCES corrective_actions (id),
    event          TEXT NOT NULL,
    from_state     TEXT NOT NULL DEFAULT '',
    to_state       TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    inspection_id  BIGINT REFERENCES inspections (id),
    actor          TEXT NOT NULL,
    at             {{ts}} NOT NULL
);
CREATE INDEX corrective_action_events_action ON corrective_action_events (action_id, id);
