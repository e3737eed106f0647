package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/gin-gonic/gin"
)

// /admin/licensing: licensing rounds. A round is created with its policy
// (POST /api/v1/licensing-rounds), its quotas overridden with a reason
// (PATCH .../quotas/{code}), allocated (POST .../allocate), closed (POST
// .../close) and its licences issued (POST /api/v1/licences): each form
// makes its route's one service call.

type roundListRow struct {
	ID                                          int64
	Name, State, StateClass, Created, Total     string
	Placed, Unplaced, Issued, Target, TargetSrc string
}

type licensingData struct {
	staffForm
	Rounds          []roundListRow
	Pager           pager
	Counts          []homeFigure
	ProvinceOptions []option
	CanCreate       bool
	DemandTarget    string
	XLSX            string
}

func (s *Server) roundsPage(c *gin.Context) { s.staffPage(s.licensingPage)(c) }

func (s *Server) licensingPage(c *gin.Context, v *staffView) (staffResult, error) {
	return s.buildLicensing(c, v, v.notice(), http.StatusOK)
}

func (s *Server) buildLicensing(c *gin.Context, v *staffView, form staffForm, status int) (staffResult, error) {
	ctx := c.Request.Context()
	p, fe := pageOf(c, 20, 100)
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	list, total, err := s.Rounds.List(ctx, licensing.RoundFilter{Limit: p.PageSize, Offset: p.Offset()})
	if err != nil {
		return staffResult{}, err
	}
	byState, err := s.Licences.CountByState(ctx)
	if err != nil {
		return staffResult{}, err
	}
	dem, err := s.Demand.Compute(ctx, licensing.DemandQuery{})
	if err != nil {
		return staffResult{}, err
	}
	d := licensingData{staffForm: form, Pager: v.pager(p, total), CanCreate: v.can(http.MethodPost, "/admin/licensing"),
		DemandTarget: v.num(dem.Model.TargetPopulationPerOffice, 0), XLSX: v.report("licences", "xlsx")}
	chosen := map[string]bool{}
	if form.Form != nil {
		for _, code := range strings.Split(form.Form["exam_provinces"], ",") {
			chosen[code] = true
		}
	}
	for _, r := range s.Gazetteer.Level(geo.LevelProvince) {
		d.ProvinceOptions = append(d.ProvinceOptions, option{Value: r.Code, Label: nameIn(v.lang, r.NameFa, r.NameEn), Selected: chosen[r.Code]})
	}
	for _, st := range licensing.LicenceStates {
		d.Counts = append(d.Counts, homeFigure{Label: v.t("licence_" + st), Value: v.count(byState[st]), Href: "/admin/licences?state=" + st})
	}
	for _, r := range list {
		d.Rounds = append(d.Rounds, roundListRow{ID: r.ID, Name: v.digits(r.Name), State: v.word("round_state_", r.State), StateClass: roundBadge(r.State),
			Created: v.date(r.CreatedAt), Total: v.count(int64(r.TotalLicences)), Placed: v.count(int64(r.Placed)),
			Unplaced: v.count(int64(r.Unplaced)), Issued: v.count(int64(r.Issued)),
			Target: v.num(r.Demand.TargetPopulationPerOffice, 0), TargetSrc: v.word("target_source_", r.Demand.TargetSource)})
	}
	return staffResult{status: status, page: "admin_licensing", title: "licensing", data: d}, nil
}

func roundBadge(state string) string {
	switch state {
	case licensing.RoundClosed:
		return "badge-good"
	case licensing.RoundAllocated:
		return "badge-warn"
	}
	return ""
}

// createRoundPage is the form for POST /api/v1/licensing-rounds.
func (s *Server) createRoundPage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		form := formOf(c, 200, "name", "total_licences", "target_population_per_office", "wait_target_min", "min_distance_m",
			"exam_year", "min_score")
		provs := c.PostFormArray("exam_provinces")
		if len(provs) > 40 {
			provs = provs[:40]
		}
		form["exam_provinces"] = strings.Join(provs, ",")
		var fe daftar.FieldErrors
		in := licensing.NewRound{Name: form["name"], Policy: licensing.Policy{ExamProvinces: provs,
			TargetPopulationPerOffice: floatField(&fe, form, "target_population_per_office", 0, 1e9),
			WaitTargetMin:             floatField(&fe, form, "wait_target_min", 0, 1e6),
			MinDistanceM:              floatField(&fe, form, "min_distance_m", 0, 1e9),
			MinScore:                  floatField(&fe, form, "min_score", 0, 1e9)}}
		if n := intField(&fe, form, "total_licences", 0, 1_000_000); n != nil {
			in.TotalLicences = int(*n)
		}
		if n := intField(&fe, form, "exam_year", 1, 9999); n != nil {
			in.Policy.ExamYear = int(*n)
		}
		err := fe.Err(daftar.KindInvalid, "invalid_round", "the round is not valid")
		var r licensing.Round
		if err == nil {
			r, err = s.Rounds.Create(c.Request.Context(), in)
		}
		if err != nil {
			f, status, err := v.refused(err, "create", form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildLicensing(c, v.at("/admin/licensing"), f, status)
		}
		return done("/admin/licensing/"+strconv.FormatInt(r.ID, 10), "round_created", v.lang), nil
	})(c)
}

type quotaView struct {
	Region, Name                            string
	Quota, Computed, Shortage, ShortageNow  string
	Needed, Active, Filled, Unfilled, Issue string
	Overridden                              bool
	Reason, By                              string
	QuotaValue                              string
}

type allocationRow struct {
	CandidateID                         int64
	Name, Masked, Score, City, PrefRank string
	Reason, State                       string
	Placed                              bool
	LicenceHref                         string
}

type roundData struct {
	staffForm
	ID                                       int64
	Name, State, StateClass, Created, By     string
	Total, Placed, Unplaced, Unfilled        string
	Issued, Proposals, Allocated, Closed     string
	Open, IsAllocated, IsClosed              bool
	PolicyTarget, PolicySource, PolicyWait   string
	PolicyDistance, PolicyYear, PolicyScore  string
	PolicyProvinces                          string
	DemandTarget, DemandSource, DemandWindow string
	DemandShortage, RoundShortage            string
	TargetsDiffer                            bool
	Quotas                                   []quotaView
	QuotaPager                               pager
	CityOptions                              []option
	Allocations                              []allocationRow
	AllocPager                               pager
	AllocFilter                              string
	AllocOptions                             []option
	CanAct                                   bool
	LicencesHref                             string
}

func (s *Server) adminRound(c *gin.Context) { s.staffPage(s.roundPage)(c) }

func (s *Server) roundPage(c *gin.Context, v *staffView) (staffResult, error) {
	return s.buildRound(c, v, v.notice(), http.StatusOK)
}

func (s *Server) buildRound(c *gin.Context, v *staffView, form staffForm, status int) (staffResult, error) {
	ctx := c.Request.Context()
	id, err := pathID(c, "id")
	if err != nil {
		return staffResult{}, err
	}
	var fe daftar.FieldErrors
	qp := Page{Page: int(max(intQuery(c, &fe, "quotas_page", 1, 1_000_000), 1)), PageSize: 30}
	ap := Page{Page: int(max(intQuery(c, &fe, "page", 1, 1_000_000), 1)), PageSize: 50}
	af := licensing.AllocationFilter{Limit: ap.PageSize, Offset: ap.Offset()}
	placed := c.DefaultQuery("placed", "")
	switch placed {
	case "true", "false":
		b := placed == "true"
		af.Placed = &b
	case "":
	default:
		fe.Add("placed", "invalid", "must be true or false")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	r, err := s.Rounds.Get(ctx, id)
	if err != nil {
		return staffResult{}, err
	}
	dem, err := s.Demand.Compute(ctx, licensing.DemandQuery{})
	if err != nil {
		return staffResult{}, err
	}
	pol := r.Policy
	d := roundData{staffForm: form, ID: r.ID, Name: v.digits(r.Name), State: v.word("round_state_", r.State), StateClass: roundBadge(r.State),
		Created: v.dateTime(r.CreatedAt), By: r.CreatedBy, Total: v.count(int64(r.TotalLicences)), Placed: v.count(int64(r.Placed)),
		Unplaced: v.count(int64(r.Unplaced)), Unfilled: v.count(int64(r.Unfilled)), Issued: v.count(int64(r.Issued)),
		Proposals: v.count(int64(r.Proposals)), Allocated: v.dateTimePtr(r.AllocatedAt), Closed: v.dateTimePtr(r.ClosedAt),
		Open: r.State == licensing.RoundOpen, IsAllocated: r.State == licensing.RoundAllocated, IsClosed: r.State == licensing.RoundClosed,
		PolicyTarget: v.num(r.Demand.TargetPopulationPerOffice, 0), PolicySource: v.word("target_source_", r.Demand.TargetSource),
		PolicyWait: v.num(r.Demand.WaitTargetMin, 0), PolicyDistance: v.numPtr(pol.MinDistanceM, 0), PolicyYear: v.digits(strconv.Itoa(pol.ExamYear)),
		PolicyScore: v.numPtr(pol.MinScore, 2), DemandTarget: v.num(dem.Model.TargetPopulationPerOffice, 0),
		DemandSource: v.word("target_source_", dem.Model.TargetSource), DemandWindow: v.date(dem.Model.From) + " – " + v.date(dem.Model.To.AddDate(0, 0, -1)),
		DemandShortage: v.count(int64(dem.Model.Shortage)), RoundShortage: v.count(int64(r.Demand.Shortage)),
		TargetsDiffer: int64(r.Demand.TargetPopulationPerOffice+0.5) != int64(dem.Model.TargetPopulationPerOffice+0.5),
		CanAct:        v.can(http.MethodPost, "/admin/licensing/:id/allocate"), AllocFilter: placed,
		AllocOptions: v.options("alloc_", placed, "true", "false"), LicencesHref: "/admin/licences?round_id=" + strconv.FormatInt(r.ID, 10)}
	var provs []string
	for _, code := range pol.ExamProvinces {
		provs = append(provs, v.region(code))
	}
	d.PolicyProvinces = strings.Join(provs, "، ")
	lo, hi := min(qp.Offset(), len(r.Quotas)), min(qp.Offset()+qp.PageSize, len(r.Quotas))
	d.QuotaPager = v.pagerOf(qp, int64(len(r.Quotas)), "quotas_page")
	for _, q := range r.Quotas[lo:hi] {
		qv := quotaView{Region: q.Region, Name: nameIn(v.lang, q.NameFa, q.NameEn), Quota: v.count(int64(q.Quota)),
			Computed: v.count(int64(q.ComputedQuota)), Shortage: v.count(int64(q.Shortage)), ShortageNow: "—",
			Needed: v.count(int64(q.Needed)), Active: v.count(int64(q.ActiveOffices)), Filled: v.count(int64(q.Filled)),
			Unfilled: v.count(int64(q.Unfilled)), Issue: v.count(int64(q.Issued)), Overridden: q.Overridden, QuotaValue: v.count(int64(q.Quota))}
		if now, ok := dem.Region(q.Region); ok {
			qv.ShortageNow = v.count(int64(now.Shortage))
		}
		if q.OverrideReason != nil {
			qv.Reason = *q.OverrideReason
		}
		if q.OverriddenBy != nil {
			qv.By = *q.OverriddenBy
		}
		d.Quotas = append(d.Quotas, qv)
	}
	cityChosen := ""
	if form.Form != nil {
		cityChosen = form.Form["city"]
	}
	for _, x := range dem.Regions {
		if x.Level == geo.LevelCity {
			d.CityOptions = append(d.CityOptions, option{Value: x.Region, Label: nameIn(v.lang, x.NameFa, x.NameEn), Selected: x.Region == cityChosen})
		}
	}
	if r.State != licensing.RoundOpen {
		list, total, err := s.Rounds.Allocations(ctx, id, af)
		if err != nil {
			return staffResult{}, err
		}
		d.AllocPager = v.pager(ap, total)
		for _, a := range list {
			row := allocationRow{CandidateID: a.CandidateID, Name: a.FirstName + " " + a.LastName, Masked: a.NationalCodeMasked,
				Score: v.num(a.Score, 2), Reason: v.digits(nameIn(v.lang, a.ReasonFa, a.Reason)), State: v.word("cand_state_", a.CandidateState),
				Placed: a.Region != nil, City: "—", PrefRank: "—"}
			if a.Region != nil {
				row.City = v.region(*a.Region)
			}
			if a.PreferenceRank != nil {
				row.PrefRank = v.count(int64(*a.PreferenceRank))
			}
			if a.LicenceID != nil {
				row.LicenceHref = "/admin/licences/" + strconv.FormatInt(*a.LicenceID, 10)
			}
			d.Allocations = append(d.Allocations, row)
		}
	}
	return staffResult{status: status, page: "admin_round", title: "licensing", data: d}, nil
}

// roundAction runs one of a round's forms and shows the round again: its
// notice on success, its refusal with what was typed otherwise.
func (s *Server) roundAction(act func(c *gin.Context, id int64, form map[string]string) (string, error), fields ...string) gin.HandlerFunc {
	return s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		id, err := pathID(c, "id")
		if err != nil {
			return staffResult{}, err
		}
		form := formOf(c, 1000, fields...)
		path := "/admin/licensing/" + strconv.FormatInt(id, 10)
		key, err := act(c, id, form)
		if err != nil {
			f, status, err := v.refused(err, lastSegment(c.Request.URL.Path), form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildRound(c, v.at(path), f, status)
		}
		if key == "licences_issued" {
			return done("/admin/licences?round_id="+strconv.FormatInt(id, 10), key, v.lang), nil
		}
		return done(path, key, v.lang), nil
	})
}

func lastSegment(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

// overrideQuotaPage is PATCH /api/v1/licensing-rounds/{id}/quotas/{code}'s
// form: an empty quota removes the override.
func (s *Server) overrideQuotaPage(c *gin.Context) {
	s.roundAction(func(c *gin.Context, id int64, form map[string]string) (string, error) {
		var fe daftar.FieldErrors
		if _, ok := s.Gazetteer.City(form["city"]); !ok {
			fe.Add("city", "unknown", "choose a city")
		}
		quota := intField(&fe, form, "quota", 0, 1_000_000)
		if err := fe.Err(daftar.KindInvalid, "invalid_override", "the override is not valid"); err != nil {
			return "", err
		}
		var q *int
		if quota != nil {
			n := int(*quota)
			q = &n
		}
		if _, err := s.Rounds.OverrideQuota(c.Request.Context(), id, form["city"], q, form["reason"]); err != nil {
			return "", err
		}
		if q == nil {
			return "override_removed", nil
		}
		return "quota_overridden", nil
	}, "city", "quota", "reason")(c)
}

func (s *Server) allocateRoundPage(c *gin.Context) {
	s.roundAction(func(c *gin.Context, id int64, _ map[string]string) (string, error) {
		_, err := s.Rounds.Allocate(c.Request.Context(), id)
		return "allocated", err
	})(c)
}

func (s *Server) closeRoundPage(c *gin.Context) {
	s.roundAction(func(c *gin.Context, id int64, form map[string]string) (string, error) {
		if err := confirmed(form); err != nil {
			return "", err
		}
		_, err := s.Rounds.Close(c.Request.Context(), id, form["reason"])
		return "round_closed", err
	}, "reason", "confirm")(c)
}

// issueLicencesPage is POST /api/v1/licences's form for a closed round's
// whole allocation.
func (s *Server) issueLicencesPage(c *gin.Context) {
	s.roundAction(func(c *gin.Context, id int64, form map[string]string) (string, error) {
		if err := confirmed(form); err != nil {
			return "", err
		}
		_, err := s.Licences.Issue(c.Request.Context(), licensing.IssueRequest{RoundID: id})
		return "licences_issued", err
	}, "confirm")(c)
}
