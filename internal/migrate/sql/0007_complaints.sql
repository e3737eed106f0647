-- Complaints: a citizen's complaint against an office, filed without an
-- account, followed as a case (new ▸ triaged ▸ assigned ▸ investigating ▸
-- resolved ▸ closed, and reopened) with a deadline in working days.
--
-- Privacy: the citizen's mobile number, when given, is kept only as an
-- AES-GCM ciphertext (mobile_enc) bound to the tracking code, for the
-- notices the case sends, and is dropped when the case closes. National codes
-- and mobile numbers written into the description or a note are masked
-- before they are stored. visit_day is set only when the complaint came from
-- a survey link; the invitation itself is neither referenced nor consumed.
-- The office's code, name, province and city are copied at filing: the case
-- queue filters on them without reading the offices table.

CREATE TABLE complaints (
    id                  {{id}},
    tracking_code       TEXT NOT NULL UNIQUE,
    office_id           BIGINT NOT NULL REFERENCES offices (id),
    office_code         TEXT NOT NULL,
    office_name         TEXT NOT NULL,
    province_code       TEXT NOT NULL,
    city_code           TEXT NOT NULL,
    category            TEXT NOT NULL CHECK (category IN ('extra_fee', 'refused_service', 'misconduct', 'privacy', 'delay', 'other')),
    service_code        TEXT REFERENCES services (code),
    amount_paid_rials   BIGINT CHECK (amount_paid_rials > 0),
    official_fee_rials  BIGINT,
    description         TEXT NOT NULL,
    mobile_enc          {{bytes}},
    from_survey         BOOLEAN NOT NULL DEFAULT FALSE,
    visit_day           TEXT,
    state               TEXT NOT NULL CHECK (state IN ('new', 'triaged', 'assigned', 'investigating', 'resolved', 'closed', 'reopened')),
    outcome             TEXT CHECK (outcome IN ('upheld', 'not_upheld')),
    public_note         TEXT NOT NULL DEFAULT '',
    owner_reply         TEXT NOT NULL DEFAULT '',
    replied_at          {{ts}},
    inspector_id        BIGINT REFERENCES users (id),
    filed_at            {{ts}} NOT NULL,
    due_at              {{ts}} NOT NULL,
    resolved_at         {{ts}},
    closed_at           {{ts}},
    escalated_at        {{ts}},
    updated_at          {{ts}} NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1,
    -- A resolved case has its outcome, an open one none; a closed one has
    -- it unless it was closed without investigation.
    CHECK (state = 'closed' OR (state = 'resolved') = (outcome IS NOT NULL))
);
CREATE INDEX complaints_office ON complaints (office_id, filed_at);
CREATE INDEX complaints_province ON complaints (province_code, filed_at);
CREATE INDEX complaints_state_due ON complaints (state, due_at);
CREATE INDEX complaints_filed ON complaints (filed_at);
CREATE INDEX complaints_inspector ON complaints (inspector_id, state);

-- Every step of a case: who, when, from which state to which, the note.
-- Notes are for staff; the resolve note is the public outcome note and is
-- also copied to complaints.public_note.
CREATE TABLE complaint_events (
    id            {{id}},
    complaint_id  BIGINT NOT NULL REFERENCES complaints (id),
    at            {{ts}} NOT NULL,
    action        TEXT NOT NULL,
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    actor_id      BIGINT,
    actor_name    TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    inspector_id  BIGINT,
    outcome       TEXT
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, id);
