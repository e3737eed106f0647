package inspections

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// Results of a checklist item.
const (
	ResultPass          = "pass"
	ResultFail          = "fail"
	ResultNotApplicable = "not_applicable"
)

// Violation is a free-text finding: a rule broken that the checklist does
// not name (the shape inspections were recorded in before checklists, still
// accepted). Each becomes a corrective action like a failed item, with its
// code as the item.
type Violation struct {
	Code        string
	Severity    string
	Description string
}

// Result is an inspection's answer to one checklist item.
type Result struct {
	Item     string
	Result   string
	Severity string
	Note     string
}

// Inspection is one visit of an inspector to an office.
type Inspection struct {
	ID          int64
	OfficeID    int64
	InspectedOn string // YYYY-MM-DD, Tehran
	Inspector   string
	InspectorID *int64
	Violations  []Violation
	Notes       string
	CreatedAt   time.Time
	// ChecklistVersion is the checklist answered; nil when the inspection
	// recorded free-text findings only.
	ChecklistVersion *int
	Results          []Result
	// Minor, Major and Critical count the failed items and the free-text
	// findings by severity: what the ranking's compliance reads.
	Minor    int
	Major    int
	Critical int
	// AssignmentID is the assignment the inspection fulfilled, if any.
	AssignmentID *int64
	// Actions says which corrective actions recording it opened, reopened
	// and confirmed; set only by RecordInspection.
	Actions *ActionChanges
}

// ActionChanges are the ids of the corrective actions an inspection opened
// (a new failure), reopened (a failure the owner had marked done) and
// confirmed (an item that now passes).
type ActionChanges struct {
	Opened    []int64
	Reopened  []int64
	Confirmed []int64
}

// ResultInput is one item's answer as the inspector gives it.
type ResultInput struct {
	Item   string
	Result string
	Note   string
}

// NewInspection is what recording an inspection takes: answers to every
// item of a checklist version (0: the current one), free-text findings, or
// both.
type NewInspection struct {
	InspectedOn      string
	ChecklistVersion int
	Results          []ResultInput
	Violations       []Violation
	Notes            string
}

// finding is one failure to follow up: a failed item or a free-text
// violation.
type finding struct {
	code, severity, text string
}

// validate normalises in and checks what needs no database.
func (in *NewInspection) validate(now time.Time) (time.Time, daftar.FieldErrors) {
	var fe daftar.FieldErrors
	day, err := daftar.ParseDate(in.InspectedOn)
	switch {
	case err != nil:
		fe.Add("inspected_on", "invalid", "must be a date like 2026-11-20 or 1405/08/29")
	case day.After(now):
		fe.Add("inspected_on", "future", "must not be in the future")
	case now.Sub(day) > 2*366*24*time.Hour:
		fe.Add("inspected_on", "too_old", "must be within the last two years")
	}
	if len(in.Violations) > 50 {
		fe.Add("violations", "too_many", "at most 50 findings")
	}
	for i, v := range in.Violations {
		f := fmt.Sprintf("violations[%d]", i)
		v.Code = strings.TrimSpace(daftar.NormalizeText(v.Code))
		v.Description = daftar.NormalizeText(v.Description)
		if v.Code == "" || len(v.Code) > 40 {
			fe.Add(f+".code", "invalid", "a short code of the rule broken, 1-40 characters")
		}
		if len([]rune(v.Description)) > 1000 {
			fe.Add(f+".description", "too_long", "at most 1000 characters")
		}
		if !validSeverity(v.Severity) {
			fe.Add(f+".severity", "invalid", "minor, major or critical")
		}
		in.Violations[i] = v
	}
	if len(in.Results) > 100 {
		fe.Add("results", "too_many", "at most 100 answers")
	}
	if in.ChecklistVersion < 0 {
		fe.Add("checklist_version", "invalid", "a checklist version, or none for the current one")
	}
	if in.ChecklistVersion > 0 && len(in.Results) == 0 {
		fe.Add("results", "required", "answer every item of the checklist version given")
	}
	for i := range in.Results {
		r := &in.Results[i]
		r.Item = strings.TrimSpace(r.Item)
		r.Note = daftar.NormalizeText(r.Note)
		if r.Result != ResultPass && r.Result != ResultFail && r.Result != ResultNotApplicable {
			fe.Add(fmt.Sprintf("results[%d].result", i), "invalid", "pass, fail or not_applicable")
		}
		if len([]rune(r.Note)) > 1000 {
			fe.Add(fmt.Sprintf("results[%d].note", i), "too_long", "at most 1000 characters")
		}
	}
	in.Notes = daftar.NormalizeText(in.Notes)
	if len([]rune(in.Notes)) > 2000 {
		fe.Add("notes", "too_long", "at most 2000 characters")
	}
	return day, fe
}

// answer checks the results against the checklist: every item answered
// once, nothing else, no free-text finding under an item's code.
func (in *NewInspection) answer(c Checklist) ([]Result, daftar.FieldErrors) {
	var fe daftar.FieldErrors
	byCode := map[string]int{}
	out := make([]Result, 0, len(c.Items))
	for i, r := range in.Results {
		f := fmt.Sprintf("results[%d].item", i)
		it, ok := c.Item(r.Item)
		switch {
		case !ok:
			fe.Add(f, "unknown", fmt.Sprintf("not an item of checklist version %d", c.Version))
			continue
		case byCode[r.Item] > 0:
			fe.Add(f, "duplicate", "each item answered once")
			continue
		}
		byCode[r.Item] = i + 1
		out = append(out, Result{Item: it.Code, Result: r.Result, Severity: it.Severity, Note: r.Note})
	}
	var missing []string
	for _, it := range c.Items {
		if byCode[it.Code] == 0 {
			missing = append(missing, it.Code)
		}
	}
	if len(missing) > 0 {
		fe.Add("results", "incomplete", "every item must be answered; missing: "+strings.Join(missing, ", "))
	}
	for i, v := range in.Violations {
		if _, ok := c.Item(v.Code); ok {
			fe.Add(fmt.Sprintf("violations[%d].code", i), "checklist_item", "an item of the checklist: answer it in results")
		}
	}
	// Keep the checklist's order whatever order the answers came in.
	ordered := make([]Result, 0, len(out))
	for _, it := range c.Items {
		for _, r := range out {
			if r.Item == it.Code {
				ordered = append(ordered, r)
			}
		}
	}
	return ordered, fe
}

// RecordInspection stores an inspection's answers and findings and follows
// them up in the same transaction: a failure opens a corrective action (or
// reopens one the owner had marked done), a pass confirms the item's
// pending action, and the office's open assignment is done. Audited.
func (s *Service) RecordInspection(ctx context.Context, officeID int64, in NewInspection) (Inspection, error) {
	now := s.now()
	day, fe := in.validate(now)
	if err := fe.Err(daftar.KindUnprocessable, "invalid_inspection", "the inspection is not valid"); err != nil {
		return Inspection{}, err
	}
	if in.Violations == nil {
		in.Violations = []Violation{}
	}
	actor, _ := daftar.ActorFrom(ctx)
	out := Inspection{OfficeID: officeID, InspectedOn: daftar.TehranDate(day), Inspector: actor.Username, Violations: in.Violations,
		Notes: in.Notes, CreatedAt: now, Results: []Result{}}
	if actor.UserID != 0 {
		id := actor.UserID
		out.InspectorID = &id
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var findings []finding
		if len(in.Results) > 0 {
			c, err := s.checklist(ctx, tx, in.ChecklistVersion)
			if err != nil {
				if daftar.IsKind(err, daftar.KindNotFound) {
					return daftar.Unprocessable("invalid_inspection", "the inspection is not valid",
						daftar.Field("checklist_version", "unknown", err.Error()))
				}
				return err
			}
			results, fe := in.answer(c)
			if err := fe.Err(daftar.KindUnprocessable, "invalid_inspection", "the inspection is not valid"); err != nil {
				return err
			}
			out.ChecklistVersion, out.Results = &c.Version, results
			for _, r := range results {
				if r.Result == ResultFail {
					it, _ := c.Item(r.Item)
					findings = append(findings, finding{code: r.Item, severity: r.Severity, text: joinNote(it.TitleFa, r.Note)})
				}
			}
		}
		for _, v := range in.Violations {
			findings = append(findings, finding{code: v.Code, severity: v.Severity, text: joinNote(v.Description, "")})
		}
		for _, f := range findings {
			switch f.severity {
			case SeverityMinor:
				out.Minor++
			case SeverityMajor:
				out.Major++
			case SeverityCritical:
				out.Critical++
			}
		}
		body, _ := json.Marshal(in.Violations)
		if err := tx.Query(ctx, `INSERT INTO inspections (office_id, inspected_on, inspector, inspector_id, violations, minor, major, critical, notes,
			created_at, checklist_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			[]any{officeID, out.InspectedOn, out.Inspector, out.InspectorID, string(body), out.Minor, out.Major, out.Critical, out.Notes, now, out.ChecklistVersion},
			func(scan func(...any) error) error { return scan(&out.ID) }); err != nil {
			return err
		}
		for _, r := range out.Results {
			if _, err := tx.Exec(ctx, "INSERT INTO inspection_results (inspection_id, item_code, result, severity, note) VALUES (?, ?, ?, ?, ?)",
				out.ID, r.Item, r.Result, r.Severity, r.Note); err != nil {
				return err
			}
		}
		changes, err := s.followUp(ctx, tx, out, findings)
		if err != nil {
			return err
		}
		out.Actions = &changes
		if out.AssignmentID, err = s.fulfil(ctx, tx, out); err != nil {
			return err
		}
		view := out
		view.Actions = nil
		return s.audit.Record(ctx, tx, audit.Change{Action: "inspection.record", Entity: "office", EntityID: officeID, After: view})
	})
	return out, err
}

func joinNote(text, note string) string {
	if note == "" {
		return text
	}
	return text + " — " + note
}

// Inspections lists an office's inspections, newest first.
func (s *Service) Inspections(ctx context.Context, officeID int64, limit, offset int) ([]Inspection, int64, error) {
	var total int64
	if err := s.db.Query(ctx, "SELECT COUNT(*) FROM inspections WHERE office_id = ?", []any{officeID},
		func(scan func(...any) error) error { return scan(&total) }); err != nil {
		return nil, 0, err
	}
	list, err := s.readInspections(ctx, " WHERE office_id = ? ORDER BY inspected_on DESC, id DESC LIMIT ? OFFSET ?", officeID, limit, offset)
	return list, total, err
}

// InspectionFilter selects inspections across offices, for reports.
type InspectionFilter struct {
	OfficeID int64
	From, To string // Tehran days, [From, To); empty: unbounded
}

// AllInspections lists the inspections the filter selects, newest first.
func (s *Service) AllInspections(ctx context.Context, f InspectionFilter) ([]Inspection, error) {
	var where []string
	var args []any
	if f.OfficeID != 0 {
		where, args = append(where, "office_id = ?"), append(args, f.OfficeID)
	}
	if f.From != "" {
		where, args = append(where, "inspected_on >= ?"), append(args, f.From)
	}
	if f.To != "" {
		where, args = append(where, "inspected_on < ?"), append(args, f.To)
	}
	q := ""
	if len(where) > 0 {
		q = " WHERE " + strings.Join(where, " AND ")
	}
	return s.readInspections(ctx, q+" ORDER BY inspected_on DESC, id DESC", args...)
}

const inspectionColumns = `id, office_id, inspected_on, inspector, inspector_id, violations, notes, created_at, checklist_version,
	minor, major, critical, assignment_id`

func (s *Service) readInspections(ctx context.Context, tail string, args ...any) ([]Inspection, error) {
	var out []Inspection
	at := map[int64]int{}
	if err := s.db.Query(ctx, "SELECT "+inspectionColumns+" FROM inspections"+tail, args, func(scan func(...any) error) error {
		var in Inspection
		var violations string
		if err := scan(&in.ID, &in.OfficeID, &in.InspectedOn, &in.Inspector, &in.InspectorID, &violations, &in.Notes, &in.CreatedAt,
			&in.ChecklistVersion, &in.Minor, &in.Major, &in.Critical, &in.AssignmentID); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(violations), &in.Violations); err != nil {
			return err
		}
		in.Results = []Result{}
		at[in.ID] = len(out)
		out = append(out, in)
		return nil
	}); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(out))
	for _, in := range out {
		if in.ChecklistVersion != nil {
			ids = append(ids, in.ID)
		}
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(len(ids), start+500)]
		// The items in their checklist's order.
		err := s.db.Query(ctx, `SELECT r.inspection_id, r.item_code, r.result, r.severity, r.note FROM inspection_results r
			JOIN inspections i ON i.id = r.inspection_id
			JOIN inspection_checklist_items c ON c.checklist_version = i.checklist_version AND c.code = r.item_code
			WHERE r.inspection_id IN (`+db.Placeholders(len(chunk))+`) ORDER BY r.inspection_id, c.position`, db.Int64Args(chunk),
			func(scan func(...any) error) error {
				var id int64
				var r Result
				if err := scan(&id, &r.Item, &r.Result, &r.Severity, &r.Note); err != nil {
					return err
				}
				k := at[id]
				out[k].Results = append(out[k].Results, r)
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LastInspected returns every office's latest inspection day (Tehran
// YYYY-MM-DD) on or before at's day.
func (s *Service) LastInspected(ctx context.Context, at time.Time) (map[int64]string, error) {
	out := map[int64]string{}
	err := s.db.Query(ctx, "SELECT office_id, MAX(inspected_on) FROM inspections WHERE inspected_on <= ? GROUP BY office_id", []any{daftar.TehranDate(at)},
		func(scan func(...any) error) error {
			var id int64
			var day string
			if err := scan(&id, &day); err != nil {
				return err
			}
			out[id] = day
			return nil
		})
	return out, err
}

// Findings are an office's inspection findings counted by severity.
type Findings struct {
	Minor, Major, Critical int
}

// FindingsBetween counts every office's findings of the inspections made on
// Tehran days from from's day up to (not including) to's day: what the
// ranking's compliance criterion reads.
func (s *Service) FindingsBetween(ctx context.Context, from, to time.Time) (map[int64]Findings, error) {
	out := map[int64]Findings{}
	err := s.db.Query(ctx, `SELECT office_id, SUM(minor), SUM(major), SUM(critical) FROM inspections
		WHERE inspected_on >= ? AND inspected_on < ? GROUP BY office_id`, []any{daftar.TehranDate(from), daftar.TehranDate(to)},
		func(scan func(...any) error) error {
			var id int64
			var f Findings
			if err := scan(&id, &f.Minor, &f.Major, &f.Critical); err != nil {
				return err
			}
			out[id] = f
			return nil
		})
	return out, err
}
