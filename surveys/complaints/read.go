package complaints

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar"
)

var (
	errNotFound = daftar.NotFound("complaint_not_found", "no such complaint")
	errStaff    = daftar.Forbidden("staff_only", "only staff read the complaints queue")
)

// staffOnly refuses a signed-in actor who is not staff. A caller with no
// actor in its context is the system itself (the command line, a job),
// as for the audit log.
func staffOnly(ctx context.Context) error {
	if a, ok := daftar.ActorFrom(ctx); ok && !a.Role.Staff() {
		return errStaff
	}
	return nil
}

// Track is the public view of a case by its tracking code (NotFound for a
// code never issued or mistyped).
func (s *Service) Track(ctx context.Context, trackingCode string) (Tracking, error) {
	code, err := ParseTrackingCode(trackingCode)
	if err != nil {
		return Tracking{}, err
	}
	r, found, err := getByCode(ctx, s.db, code)
	if err != nil {
		return Tracking{}, err
	}
	if !found {
		return Tracking{}, errUnknownCode
	}
	c := s.withOverdue(r.complaint(), s.clock.Now())
	t := Tracking{TrackingCode: c.TrackingCode, OfficeName: c.OfficeName, Category: c.Category, State: c.State,
		Outcome: c.Outcome, PublicNote: c.PublicNote, FiledAt: c.FiledAt, DueAt: c.DueAt, ResolvedAt: c.ResolvedAt,
		ClosedAt: c.ClosedAt, Overdue: c.Overdue}
	evs, err := events(ctx, s.db, c.ID)
	if err != nil {
		return Tracking{}, err
	}
	for _, e := range evs {
		if e.Action == fileStep || e.From != e.To {
			t.Steps = append(t.Steps, Step{State: e.To, At: e.At})
		}
	}
	return t, nil
}

// withOverdue says whether the case is past its deadline at now.
func (s *Service) withOverdue(c Complaint, now time.Time) Complaint {
	if c.State.Open() && now.After(c.DueAt) {
		c.Overdue = true
		c.OverdueBy = s.cal.Between(c.DueAt, now)
	}
	return c
}

// Get returns one case for staff, with the last four digits of the
// citizen's mobile number when there is one.
func (s *Service) Get(ctx context.Context, id int64) (Complaint, error) {
	if err := staffOnly(ctx); err != nil {
		return Complaint{}, err
	}
	r, found, err := getComplaint(ctx, s.db, id)
	if err != nil {
		return Complaint{}, err
	}
	if !found {
		return Complaint{}, errNotFound
	}
	c := s.withOverdue(r.complaint(), s.clock.Now())
	if len(r.mobileEnc) > 0 {
		m, err := s.openMobile(r.mobileEnc, r.code)
		if err != nil {
			s.log.WarnContext(ctx, "complaint mobile does not open", "complaint", id, "error", err.Error())
			c.MobileMasked = "****"
		} else {
			c.MobileMasked = maskMobile(m)
		}
	}
	return c, nil
}

// Case returns one case and its steps for staff (Get and Events).
func (s *Service) Case(ctx context.Context, id int64) (Complaint, []Event, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Complaint{}, nil, err
	}
	evs, err := events(ctx, s.db, id)
	return c, evs, err
}

// Events returns the steps of a case for staff, oldest first.
func (s *Service) Events(ctx context.Context, id int64) ([]Event, error) {
	if err := staffOnly(ctx); err != nil {
		return nil, err
	}
	if _, found, err := getComplaint(ctx, s.db, id); err != nil || !found {
		if err == nil {
			err = errNotFound
		}
		return nil, err
	}
	return events(ctx, s.db, id)
}

// List is the staff queue: the cases the filter selects, soonest deadline
// first, one page, and how many match. No mobile numbers.
func (s *Service) List(ctx context.Context, f Filter) ([]Complaint, int64, error) {
	if err := staffOnly(ctx); err != nil {
		return nil, 0, err
	}
	if err := f.check(); err != nil {
		return nil, 0, err
	}
	return s.list(ctx, f)
}

func (s *Service) list(ctx context.Context, f Filter) ([]Complaint, int64, error) {
	now := s.clock.Now()
	limit, offset := f.paging()
	where, args := f.where(now)
	rows, total, err := listComplaints(ctx, s.db, where, args, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Complaint, len(rows))
	for i := range rows {
		out[i] = s.withOverdue(rows[i].complaint(), now)
	}
	return out, total, nil
}

// OfficeComplaints lists the complaints against one office for its owner
// (or staff), as the owner may see them. Another office's list is NotFound
// to an owner, as if it did not exist.
func (s *Service) OfficeComplaints(ctx context.Context, officeID int64, f Filter) ([]OwnerView, int64, error) {
	a, _ := daftar.ActorFrom(ctx)
	if !a.CanSeeOffice(officeID) {
		return nil, 0, daftar.NotFound("office_not_found", "no such office")
	}
	if err := f.check(); err != nil {
		return nil, 0, err
	}
	f.OfficeID, f.Province, f.InspectorID = officeID, "", 0
	list, total, err := s.list(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]OwnerView, len(list))
	for i, c := range list {
		out[i] = c.ForOwner()
	}
	return out, total, nil
}

// check refuses filter values that cannot match anything by mistake.
func (f Filter) check() error {
	var fe daftar.FieldErrors
	if f.Category != "" {
		if _, ok := RuleOf(f.Category); !ok {
			fe.Add("category", "unknown_category", "unknown category; one of "+categoryList())
		}
	}
	if f.State != "" && !f.State.Valid() {
		fe.Add("state", "unknown_state", "unknown state")
	}
	if f.Page < 0 {
		fe.Add("page", "invalid_page", "page starts at 1")
	}
	if f.PageSize < 0 || f.PageSize > 200 {
		fe.Add("page_size", "invalid_page_size", "page_size must be from 1 to 200")
	}
	return fe.Err(daftar.KindInvalid, "invalid_filter", "the filter is not valid")
}

func (f Filter) paging() (limit, offset int) {
	limit = f.PageSize
	if limit == 0 {
		limit = 50
	}
	page := max(f.Page, 1)
	return limit, (page - 1) * limit
}
