package complaints

import (
	"context"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
)

// The only SQL on complaints and complaint_events. Statements use ?
// placeholders and run on both engines through db.Querier.

// row is a complaints row as scanned.
type row struct {
	id                                int64
	code, officeCode, officeName      string
	province, city, category          string
	service                           *string
	amount, fee                       *int64
	description                       string
	mobileEnc                         []byte
	fromSurvey                        bool
	visitDay                          *string
	state                             string
	outcome                           *string
	publicNote, ownerReply            string
	repliedAt                         *time.Time
	inspectorID                       *int64
	officeID                          int64
	filedAt, dueAt                    time.Time
	resolvedAt, closedAt, escalatedAt *time.Time
	updatedAt                         time.Time
	version                           int64
}

const complaintCols = `id, tracking_code, office_id, office_code, office_name, province_code, city_code, category,
	service_code, amount_paid_rials, official_fee_rials, description, mobile_enc, from_survey, visit_day, state, outcome,
	public_note, owner_reply, replied_at, inspector_id, filed_at, due_at, resolved_at, closed_at, escalated_at,
	updated_at, version`

func (r *row) dest() []any {
	return []any{&r.id, &r.code, &r.officeID, &r.officeCode, &r.officeName, &r.province, &r.city, &r.category,
		&r.service, &r.amount, &r.fee, &r.description, &r.mobileEnc, &r.fromSurvey, &r.visitDay, &r.state, &r.outcome,
		&r.publicNote, &r.ownerReply, &r.repliedAt, &r.inspectorID, &r.filedAt, &r.dueAt, &r.resolvedAt, &r.closedAt,
		&r.escalatedAt, &r.updatedAt, &r.version}
}

// complaint converts a row; the mobile number stays sealed (HasMobile only).
func (r *row) complaint() Complaint {
	c := Complaint{ID: r.id, TrackingCode: r.code, OfficeID: r.officeID, OfficeCode: r.officeCode, OfficeName: r.officeName,
		Province: r.province, City: r.city, Category: Category(r.category), Service: deref(r.service),
		AmountPaidRials: r.amount, OfficialFeeRials: r.fee, Description: r.description, HasMobile: len(r.mobileEnc) > 0,
		FromSurvey: r.fromSurvey, VisitDay: deref(r.visitDay), State: State(r.state), Outcome: Outcome(deref(r.outcome)),
		PublicNote: r.publicNote, OwnerReply: r.ownerReply, RepliedAt: utcPtr(r.repliedAt), InspectorID: r.inspectorID,
		FiledAt: r.filedAt.UTC(), DueAt: r.dueAt.UTC(), ResolvedAt: utcPtr(r.resolvedAt), ClosedAt: utcPtr(r.closedAt),
		EscalatedAt: utcPtr(r.escalatedAt), UpdatedAt: r.updatedAt.UTC(), Version: r.version}
	return c
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// newRow is a complaint about to be inserted.
type newRow struct {
	code           string
	office         Office
	category       Category
	service        string
	amount, fee    *int64
	description    string
	mobileEnc      []byte
	fromSurvey     bool
	visitDay       string
	filedAt, dueAt time.Time
}

// insertComplaint inserts a complaint unless its tracking code is taken,
// and returns its id (0 when the code was taken: draw another).
func insertComplaint(ctx context.Context, tx *db.Tx, n newRow) (int64, error) {
	var id int64
	err := tx.Query(ctx, `INSERT INTO complaints (tracking_code, office_id, office_code, office_name, province_code,
		city_code, category, service_code, amount_paid_rials, official_fee_rials, description, mobile_enc, from_survey,
		visit_day, state, public_note, owner_reply, filed_at, due_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, 1)
		ON CONFLICT (tracking_code) DO NOTHING RETURNING id`,
		[]any{n.code, n.office.ID, n.office.Code, n.office.Name, n.office.Province, n.office.City, string(n.category),
			nullString(n.service), n.amount, n.fee, n.description, n.mobileEnc, n.fromSurvey, nullString(n.visitDay),
			string(StateNew), n.filedAt, n.dueAt, n.filedAt},
		func(scan func(...any) error) error { return scan(&id) })
	return id, err
}

// getComplaint reads one case by id; found is false when there is none.
func getComplaint(ctx context.Context, q db.Querier, id int64) (row, bool, error) {
	return oneComplaint(ctx, q, "id = ?", id)
}

// getByCode reads one case by tracking code.
func getByCode(ctx context.Context, q db.Querier, code string) (row, bool, error) {
	return oneComplaint(ctx, q, "tracking_code = ?", code)
}

func oneComplaint(ctx context.Context, q db.Querier, where string, arg any) (row, bool, error) {
	var r row
	found := false
	err := q.Query(ctx, "SELECT "+complaintCols+" FROM complaints WHERE "+where, []any{arg},
		func(scan func(...any) error) error {
			found = true
			return scan(r.dest()...)
		})
	return r, found, err
}

// change is the update a step makes, applied only if the case is still at
// the version that was read (0 rows: someone else acted first).
type change struct {
	id, version int64
	state       State
	outcome     *Outcome // nil: unchanged; pointer to "": cleared
	publicNote  *string
	ownerReply  *string
	repliedAt   *time.Time
	inspectorID *int64
	dueAt       *time.Time
	resolvedAt  *time.Time // set
	closedAt    *time.Time // set
	clearDone   bool       // reopen: resolved_at, closed_at, escalated_at back to NULL
	dropMobile  bool
	at          time.Time
}

func updateComplaint(ctx context.Context, tx *db.Tx, c change) (bool, error) {
	sets := []string{"state = ?", "updated_at = ?", "version = version + 1"}
	args := []any{string(c.state), c.at}
	add := func(set string, v any) {
		sets = append(sets, set)
		args = append(args, v)
	}
	if c.outcome != nil {
		add("outcome = ?", nullString(string(*c.outcome)))
	}
	if c.publicNote != nil {
		add("public_note = ?", *c.publicNote)
	}
	if c.ownerReply != nil {
		add("owner_reply = ?", *c.ownerReply)
	}
	if c.repliedAt != nil {
		add("replied_at = ?", *c.repliedAt)
	}
	if c.inspectorID != nil {
		add("inspector_id = ?", *c.inspectorID)
	}
	if c.dueAt != nil {
		add("due_at = ?", *c.dueAt)
	}
	if c.resolvedAt != nil {
		add("resolved_at = ?", *c.resolvedAt)
	}
	if c.closedAt != nil {
		add("closed_at = ?", *c.closedAt)
	}
	if c.clearDone {
		sets = append(sets, "resolved_at = NULL", "closed_at = NULL", "escalated_at = NULL")
	}
	if c.dropMobile {
		sets = append(sets, "mobile_enc = NULL")
	}
	args = append(args, c.id, c.version)
	n, err := tx.Exec(ctx, "UPDATE complaints SET "+strings.Join(sets, ", ")+" WHERE id = ? AND version = ?", args...)
	return n == 1, err
}

// insertEvent appends one step of a case.
func insertEvent(ctx context.Context, tx *db.Tx, complaintID int64, e Event) error {
	var outcome any
	if e.Outcome != "" {
		outcome = string(e.Outcome)
	}
	_, err := tx.Exec(ctx, `INSERT INTO complaint_events (complaint_id, at, action, from_state, to_state, actor_id,
		actor_name, actor_role, note, inspector_id, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		complaintID, e.At, string(e.Action), string(e.From), string(e.To), e.ActorID, e.ActorName, string(e.ActorRole),
		e.Note, e.InspectorID, outcome)
	return err
}

// events reads the steps of a case in order.
func events(ctx context.Context, q db.Querier, complaintID int64) ([]Event, error) {
	var out []Event
	err := q.Query(ctx, `SELECT id, at, action, from_state, to_state, actor_id, actor_name, actor_role, note, inspector_id,
		outcome FROM complaint_events WHERE complaint_id = ? ORDER BY id`, []any{complaintID},
		func(scan func(...any) error) error {
			var e Event
			var action, from, to, role string
			var outcome *string
			if err := scan(&e.ID, &e.At, &action, &from, &to, &e.ActorID, &e.ActorName, &role, &e.Note, &e.InspectorID,
				&outcome); err != nil {
				return err
			}
			e.At = e.At.UTC()
			e.Action, e.From, e.To, e.ActorRole, e.Outcome = Action(action), State(from), State(to), daftar.Role(role),
				Outcome(deref(outcome))
			out = append(out, e)
			return nil
		})
	return out, err
}

// where builds the WHERE clause of a staff filter as of now.
func (f Filter) where(now time.Time) (string, []any) {
	var conds []string
	var args []any
	if f.OfficeID != 0 {
		conds, args = append(conds, "office_id = ?"), append(args, f.OfficeID)
	}
	if f.Province != "" {
		conds, args = append(conds, "province_code = ?"), append(args, f.Province)
	}
	if f.Category != "" {
		conds, args = append(conds, "category = ?"), append(args, string(f.Category))
	}
	if f.State != "" {
		conds, args = append(conds, "state = ?"), append(args, string(f.State))
	}
	if f.InspectorID != 0 {
		conds, args = append(conds, "inspector_id = ?"), append(args, f.InspectorID)
	}
	if !f.FiledFrom.IsZero() {
		conds, args = append(conds, "filed_at >= ?"), append(args, f.FiledFrom.UTC())
	}
	if !f.FiledTo.IsZero() {
		conds, args = append(conds, "filed_at < ?"), append(args, f.FiledTo.UTC())
	}
	if f.Overdue {
		conds = append(conds, "state IN ("+db.Placeholders(len(openStates))+") AND due_at < ?")
		args = append(append(args, stateArgs(openStates)...), now)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func stateArgs(states []State) []any {
	out := make([]any, len(states))
	for i, s := range states {
		out[i] = string(s)
	}
	return out
}

// listComplaints reads one page of cases, soonest deadline first, and the
// total matching.
func listComplaints(ctx context.Context, q db.Querier, where string, args []any, limit, offset int) ([]row, int64, error) {
	var total int64
	if err := q.Query(ctx, "SELECT COUNT(*) FROM complaints"+where, args, func(scan func(...any) error) error {
		return scan(&total)
	}); err != nil {
		return nil, 0, err
	}
	var out []row
	err := q.Query(ctx, "SELECT "+complaintCols+" FROM complaints"+where+" ORDER BY due_at, id LIMIT ? OFFSET ?",
		append(append([]any(nil), args...), limit, offset),
		func(scan func(...any) error) error {
			var r row
			if err := scan(r.dest()...); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	return out, total, err
}

// flagOverdue marks as escalated, once, up to limit open cases past their
// deadline, and returns each with the state it was in. The condition on
// escalated_at is in the UPDATE itself, so replicas running it at the same
// time flag each case once: on PostgreSQL the second waits for the first's
// row lock and then finds escalated_at set; SQLite has one writer.
func flagOverdue(ctx context.Context, tx *db.Tx, now time.Time, limit int) (map[int64]State, error) {
	open := stateArgs(openStates)
	ph := db.Placeholders(len(open))
	args := append(append([]any{now}, open...), now)
	args = append(append(args, open...), now, limit)
	out := map[int64]State{}
	err := tx.Query(ctx, `UPDATE complaints SET escalated_at = ?
		WHERE escalated_at IS NULL AND state IN (`+ph+`) AND due_at < ?
		  AND id IN (SELECT id FROM complaints WHERE escalated_at IS NULL AND state IN (`+ph+`) AND due_at < ?
		             ORDER BY due_at, id LIMIT ?)
		RETURNING id, state`, args,
		func(scan func(...any) error) error {
			var id int64
			var st string
			if err := scan(&id, &st); err != nil {
				return err
			}
			out[id] = State(st)
			return nil
		})
	return out, err
}

// countByOffice counts cases filed in [from, to) per office under an extra
// condition.
func countByOffice(ctx context.Context, q db.Querier, from, to time.Time, cond string, args ...any) (map[int64]int, error) {
	out := map[int64]int{}
	all := append([]any{from, to}, args...)
	err := q.Query(ctx, `SELECT office_id, COUNT(*) FROM complaints WHERE filed_at >= ? AND filed_at < ?`+cond+
		` GROUP BY office_id`, all, func(scan func(...any) error) error {
		var id int64
		var n int
		if err := scan(&id, &n); err != nil {
			return err
		}
		out[id] = n
		return nil
	})
	return out, err
}
