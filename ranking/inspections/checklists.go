package inspections

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// Checklist is one version of the inspection checklist. Versions are never
// edited: publishing a change makes the next version, and every inspection
// keeps the version it answered.
type Checklist struct {
	Version   int
	Title     string
	Items     []Item
	CreatedAt time.Time
	CreatedBy string
}

// Item is one thing an inspector checks; a failure calls for a corrective
// action due by its severity.
type Item struct {
	Code     string
	TitleFa  string
	TitleEn  string
	Severity string
}

// Item returns the checklist's item with the code.
func (c Checklist) Item(code string) (Item, bool) {
	for _, it := range c.Items {
		if it.Code == code {
			return it, true
		}
	}
	return Item{}, false
}

// DefaultChecklist is version 1: what the rules of the judicial e-services
// offices ask of every office, and what citizens complain of most.
func DefaultChecklist() Checklist {
	return Checklist{Version: 1, Title: "بازرسی دوره‌ای دفاتر خدمات الکترونیک قضائی", Items: []Item{
		{Code: "tariff_posted", TitleFa: "تعرفه رسمی خدمات در معرض دید مراجعان نصب شده است", TitleEn: "The official tariff is posted where clients can see it", Severity: SeverityMajor},
		{Code: "fees_match", TitleFa: "وجه دریافتی از مراجعان با تعرفه رسمی برابر است", TitleEn: "Fees charged match the official tariff", Severity: SeverityCritical},
		{Code: "queue_order", TitleFa: "نوبت مراجعان به ترتیب رعایت می‌شود", TitleEn: "Clients are served in queue order", Severity: SeverityMajor},
		{Code: "staff_identified", TitleFa: "کارکنان کارت شناسایی در معرض دید دارند", TitleEn: "Staff wear visible identification", Severity: SeverityMinor},
		{Code: "opening_hours", TitleFa: "ساعات کاری اعلام‌شده رعایت می‌شود", TitleEn: "The posted opening hours are kept", Severity: SeverityMinor},
		{Code: "data_handling", TitleFa: "مدارک و اطلاعات مراجعان امن نگهداری و امحا می‌شود", TitleEn: "Clients' documents and data are kept and disposed of safely", Severity: SeverityCritical},
	}}
}

var itemCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// validate normalises c and says what is wrong with it.
func (c *Checklist) validate() error {
	var fe daftar.FieldErrors
	c.Title = strings.TrimSpace(daftar.NormalizeText(c.Title))
	if c.Title == "" || len([]rune(c.Title)) > 200 {
		fe.Add("title", "invalid", "1 to 200 characters")
	}
	if len(c.Items) == 0 || len(c.Items) > 100 {
		fe.Add("items", "invalid", "1 to 100 items")
	}
	seen := map[string]bool{}
	for i := range c.Items {
		it := &c.Items[i]
		f := fmt.Sprintf("items[%d]", i)
		it.Code = strings.TrimSpace(it.Code)
		switch {
		case !itemCode.MatchString(it.Code):
			fe.Add(f+".code", "invalid", "lower-case letters, digits and _, starting with a letter, at most 40")
		case seen[it.Code]:
			fe.Add(f+".code", "duplicate", "each item's code once")
		}
		seen[it.Code] = true
		it.TitleFa = strings.TrimSpace(daftar.NormalizeText(it.TitleFa))
		it.TitleEn = strings.TrimSpace(daftar.NormalizeText(it.TitleEn))
		if it.TitleFa == "" || len([]rune(it.TitleFa)) > 300 {
			fe.Add(f+".title_fa", "invalid", "1 to 300 characters")
		}
		if it.TitleEn == "" || len([]rune(it.TitleEn)) > 300 {
			fe.Add(f+".title_en", "invalid", "1 to 300 characters")
		}
		if !validSeverity(it.Severity) {
			fe.Add(f+".severity", "invalid", "minor, major or critical")
		}
	}
	return fe.Err(daftar.KindUnprocessable, "invalid_checklist", "the checklist is not valid")
}

// EnsureDefaultChecklist stores version 1 when there is no checklist yet.
func (s *Service) EnsureDefaultChecklist(ctx context.Context) error {
	ctx = daftar.WithActor(ctx, daftar.SystemActor("inspections"))
	c := DefaultChecklist()
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var n int64
		if err := tx.Query(ctx, "SELECT COUNT(*) FROM inspection_checklists", nil, func(scan func(...any) error) error { return scan(&n) }); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		_, err := s.insertChecklist(ctx, tx, c, "system")
		return err
	})
}

// PublishChecklist stores c as the next version, audited.
func (s *Service) PublishChecklist(ctx context.Context, c Checklist) (Checklist, error) {
	if err := c.validate(); err != nil {
		return Checklist{}, err
	}
	actor, _ := daftar.ActorFrom(ctx)
	var out Checklist
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var v int
		if err := tx.Query(ctx, "SELECT COALESCE(MAX(version), 0) FROM inspection_checklists", nil, func(scan func(...any) error) error { return scan(&v) }); err != nil {
			return err
		}
		c.Version = v + 1
		var err error
		out, err = s.insertChecklist(ctx, tx, c, actor.Username)
		return err
	})
	return out, err
}

func (s *Service) insertChecklist(ctx context.Context, tx *db.Tx, c Checklist, by string) (Checklist, error) {
	c.CreatedAt, c.CreatedBy = s.now(), by
	if _, err := tx.Exec(ctx, "INSERT INTO inspection_checklists (version, title, created_at, created_by) VALUES (?, ?, ?, ?)",
		c.Version, c.Title, c.CreatedAt, c.CreatedBy); err != nil {
		if db.IsUniqueViolation(err) {
			return c, daftar.Conflict("checklist_version_taken", "another version was published at the same time; try again")
		}
		return c, err
	}
	for i, it := range c.Items {
		if _, err := tx.Exec(ctx, `INSERT INTO inspection_checklist_items (checklist_version, code, position, title_fa, title_en, severity)
			VALUES (?, ?, ?, ?, ?, ?)`, c.Version, it.Code, i+1, it.TitleFa, it.TitleEn, it.Severity); err != nil {
			return c, err
		}
	}
	return c, s.audit.Record(ctx, tx, audit.Change{Action: "inspection_checklist.publish", Entity: "inspection_checklist", EntityID: c.Version, After: c})
}

// Checklists lists every version with its items, newest first.
func (s *Service) Checklists(ctx context.Context) ([]Checklist, error) {
	return s.checklists(ctx, s.db, 0)
}

// Checklist returns one version with its items; version 0 is the current
// (newest) one.
func (s *Service) Checklist(ctx context.Context, version int) (Checklist, error) {
	return s.checklist(ctx, s.db, version)
}

func (s *Service) checklist(ctx context.Context, q db.Querier, version int) (Checklist, error) {
	if version == 0 {
		if err := q.Query(ctx, "SELECT COALESCE(MAX(version), 0) FROM inspection_checklists", nil, func(scan func(...any) error) error { return scan(&version) }); err != nil {
			return Checklist{}, err
		}
		if version == 0 {
			return Checklist{}, daftar.NotFound("no_checklist", "no inspection checklist has been published")
		}
	}
	list, err := s.checklists(ctx, q, version)
	if err != nil {
		return Checklist{}, err
	}
	if len(list) == 0 {
		return Checklist{}, daftar.NotFound("checklist_not_found", fmt.Sprintf("there is no checklist version %d", version))
	}
	return list[0], nil
}

// checklists reads one version (or all, version 0) with their items.
func (s *Service) checklists(ctx context.Context, q db.Querier, version int) ([]Checklist, error) {
	where, args := "", []any{}
	if version != 0 {
		where, args = " WHERE version = ?", []any{version}
	}
	var out []Checklist
	at := map[int]int{}
	if err := q.Query(ctx, "SELECT version, title, created_at, created_by FROM inspection_checklists"+where+" ORDER BY version DESC", args,
		func(scan func(...any) error) error {
			var c Checklist
			if err := scan(&c.Version, &c.Title, &c.CreatedAt, &c.CreatedBy); err != nil {
				return err
			}
			at[c.Version] = len(out)
			out = append(out, c)
			return nil
		}); err != nil {
		return nil, err
	}
	where = strings.Replace(where, "version", "checklist_version", 1)
	err := q.Query(ctx, "SELECT checklist_version, code, title_fa, title_en, severity FROM inspection_checklist_items"+where+" ORDER BY checklist_version, position", args,
		func(scan func(...any) error) error {
			var v int
			var it Item
			if err := scan(&v, &it.Code, &it.TitleFa, &it.TitleEn, &it.Severity); err != nil {
				return err
			}
			if k, ok := at[v]; ok {
				out[k].Items = append(out[k].Items, it)
			}
			return nil
		})
	return out, err
}
