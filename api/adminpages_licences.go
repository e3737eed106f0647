package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/gin-gonic/gin"
)

// /admin/licences: the licences (GET /api/v1/licences) and one licence's
// lifecycle (POST /api/v1/licences/{id}/{action}, admins): each action
// with its reason, revocation confirmed.

type licenceRow struct {
	ID                                      int64
	Number, Holder, City, Province, State   string
	StateClass, From, Until, Source, Office string
	Expiring                                bool
}

type licencesData struct {
	staffForm
	Rows                                []licenceRow
	Pager                               pager
	Sort                                sorting
	SortOptions                         []option
	State, Province, Expiring, Q, Round string
	StateOptions, ProvinceOptions       []option
	XLSX, CSV                           string
}

func (s *Server) adminLicences(c *gin.Context) { s.staffPage(s.licencesPage)(c) }

func (s *Server) licencesPage(c *gin.Context, v *staffView) (staffResult, error) {
	p, fe := pageOf(c, 50, 500)
	sort := v.sortOf(&fe, licensing.LicencesByRecent, licensing.LicencesByExpiry, licensing.LicencesByNumber)
	f := licensing.LicenceFilter{Limit: p.PageSize, Offset: p.Offset(), Query: queryString(c, &fe, "q", 100), Sort: sort.By}
	if f.State = c.Query("state"); f.State != "" && !slices.Contains(licensing.LicenceStates, f.State) {
		fe.Add("state", "invalid", "is not a licence state")
	}
	if f.Province = c.Query("province"); f.Province != "" {
		if r, ok := s.Gazetteer.Get(f.Province); !ok || r.Level != geo.LevelProvince {
			fe.Add("province", "unknown", "is not a province code")
		}
	}
	f.RoundID = intQuery(c, &fe, "round_id", 1, 1<<62)
	expiring := c.Query("expiring")
	switch expiring {
	case "true":
		b := true
		f.Expiring = &b
	case "":
	default:
		fe.Add("expiring", "invalid", "must be true")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	list, total, err := s.Licences.List(c.Request.Context(), f)
	if err != nil {
		return staffResult{}, err
	}
	d := licencesData{staffForm: v.notice(), Pager: v.pager(p, total), Sort: sort, State: f.State, Province: f.Province, Expiring: expiring,
		Q: f.Query, Round: c.Query("round_id"),
		SortOptions:  v.options("lic_sort_", sort.By, licensing.LicencesByRecent, licensing.LicencesByExpiry, licensing.LicencesByNumber),
		StateOptions: v.options("licence_", f.State, licensing.LicenceStates...), ProvinceOptions: v.provinceOptions(f.Province),
		XLSX: v.report("licences", "xlsx"), CSV: v.report("licences", "csv")}
	for _, l := range list {
		d.Rows = append(d.Rows, v.licenceRowOf(l))
	}
	return staffResult{page: "admin_licences", title: "licences_title", data: d}, nil
}

func (v *staffView) licenceRowOf(l licensing.Licence) licenceRow {
	row := licenceRow{ID: l.ID, Number: l.Number, Holder: l.HolderName, City: v.region(l.Region), Province: v.region(l.Province),
		State: v.word("licence_", l.State), StateClass: licenceBadge(l.State), From: v.date(l.ValidFrom), Until: v.date(l.ValidUntil),
		Source: v.word("licence_source_", l.Source), Expiring: l.ExpiryFlaggedAt != nil && l.State != licensing.LicenceExpired}
	return row
}

func licenceBadge(state string) string {
	switch state {
	case licensing.LicenceActive:
		return "badge-good"
	case licensing.LicenceSuspended, licensing.LicenceRevoked, licensing.LicenceExpired:
		return "badge-bad"
	}
	return "badge-warn"
}

type licenceEventRow struct{ When, Action, From, To, Reason, Actor string }

type licenceData struct {
	staffForm
	licenceRow
	Masked, Renewals, Issued, IssuedBy, Activated string
	Reason, OfficeHref, CandidateHref, RoundHref  string
	Actions                                       []string
	CanAct                                        bool
	Events                                        []licenceEventRow
	OfficeName                                    string
}

func (s *Server) adminLicence(c *gin.Context) { s.staffPage(s.licencePage)(c) }

func (s *Server) licencePage(c *gin.Context, v *staffView) (staffResult, error) {
	return s.buildLicence(c, v, v.notice(), http.StatusOK)
}

func (s *Server) buildLicence(c *gin.Context, v *staffView, form staffForm, status int) (staffResult, error) {
	ctx := c.Request.Context()
	id, err := pathID(c, "id")
	if err != nil {
		return staffResult{}, err
	}
	l, err := s.Licences.Get(ctx, id)
	if err != nil {
		return staffResult{}, err
	}
	events, err := s.Licences.Events(ctx, id)
	if err != nil {
		return staffResult{}, err
	}
	d := licenceData{staffForm: form, licenceRow: v.licenceRowOf(l), Masked: l.HolderNationalCodeMasked, Renewals: v.count(int64(l.Renewals)),
		Issued: v.dateTime(l.IssuedAt), IssuedBy: l.IssuedBy, Activated: v.dateTimePtr(l.ActivatedAt), Reason: l.StateReason,
		Actions: licensing.AllowedActions(l.State), CanAct: v.can(http.MethodPost, "/admin/licences/:id/:action")}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	if l.OfficeID != nil {
		d.OfficeHref = "/admin/offices/" + strconv.FormatInt(*l.OfficeID, 10)
		if o, err := s.Offices.Get(ctx, *l.OfficeID); err == nil {
			d.OfficeName = nameIn(v.lang, o.NameFa, o.NameEn)
		}
	}
	if l.CandidateID != nil {
		d.CandidateHref = "/admin/candidates/" + strconv.FormatInt(*l.CandidateID, 10)
	}
	if l.RoundID != nil {
		d.RoundHref = "/admin/licensing/" + strconv.FormatInt(*l.RoundID, 10)
	}
	for _, e := range events {
		reason := v.digits(e.Reason)
		if e.Action == "expiry_flagged" { // the job's own sentence: the day validity ends
			reason = v.t("validity_ends") + " " + v.date(l.ValidUntil)
		}
		row := licenceEventRow{When: v.dateTime(e.At), Action: v.word("lic_event_", e.Action), To: v.word("licence_", e.ToState),
			Reason: reason, Actor: e.Actor}
		if e.FromState != "" && e.FromState != e.ToState {
			row.From = v.word("licence_", e.FromState)
		}
		d.Events = append(d.Events, row)
	}
	return staffResult{status: status, page: "admin_licence", title: "licences_title", data: d}, nil
}

// licenceActionPage is POST /api/v1/licences/{id}/{action}'s form. The
// action's own fields are read as the API reads them: an activation opens
// an existing pending office or a new one at the given place.
func (s *Server) licenceActionPage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		id, err := pathID(c, "id")
		if err != nil {
			return staffResult{}, err
		}
		action := c.Param("action")
		if !slices.Contains(licensing.LicenceActions, action) {
			return staffResult{}, daftar.NotFound("unknown_action", "no such action")
		}
		form := formOf(c, 1000, "reason", "confirm", "office_id", "name", "latitude", "longitude", "address", "phone", "counters", "years")
		var fe daftar.FieldErrors
		in := licensing.ActionInput{Reason: form["reason"]}
		if action == licensing.ActionActivate {
			if n := intField(&fe, form, "office_id", 1, 1<<62); n != nil {
				in.OfficeID = *n
			} else if form["office_id"] == "" {
				o := &licensing.NewOfficeInput{Latitude: floatField(&fe, form, "latitude", -90, 90), Longitude: floatField(&fe, form, "longitude", -180, 180)}
				for _, f := range []struct {
					name string
					dst  **string
				}{{"name", &o.Name}, {"address", &o.Address}, {"phone", &o.Phone}} {
					if val := form[f.name]; val != "" {
						*f.dst = &val
					}
				}
				if n := intField(&fe, form, "counters", 1, 100); n != nil {
					k := int(*n)
					o.Counters = &k
				}
				in.Office = o
			}
		}
		if action == licensing.ActionRenew {
			if n := intField(&fe, form, "years", 1, 10); n != nil {
				in.Years = int(*n)
			}
		}
		err = fe.Err(daftar.KindInvalid, "invalid_action", "the action is not valid")
		if err == nil && action == licensing.ActionRevoke {
			err = confirmed(form)
		}
		if err == nil {
			_, err = s.Licences.Act(c.Request.Context(), id, action, in)
		}
		path := "/admin/licences/" + strconv.FormatInt(id, 10)
		if err != nil {
			f, status, err := v.refused(err, action, form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildLicence(c, v.at(path), f, status)
		}
		return done(path, "licence_"+pastTenseKey(action), v.lang), nil
	})(c)
}

func pastTenseKey(action string) string { return strings.TrimSuffix(action, "e") + "ed" }
