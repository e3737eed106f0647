package api

import (
	"cmp"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/gin-gonic/gin"
)

// /admin/ranking: the runs (GET /api/v1/ranking/runs), a draft computed
// (POST /api/v1/ranking/runs), set against the previous published run,
// published with its version (POST .../publish, admins) and verified
// (POST .../verify). Each form makes the API route's one service call.

type runRow struct {
	ID                                      int64
	Period, State, StateClass, Directive    string
	Ranked, Offices, Created, By, Published string
	Current                                 bool
}

type moveRow struct {
	OfficeID                                 int64
	Office, Code, Province                   string
	RankBefore, Rank, Up, ScoreBefore, Score string
	GradeBefore, Grade                       string
}

type resultRow struct {
	OfficeID                               int64
	Rank, Office, Code, Province, Score    string
	Grade, Change, RankProvince, Responses string
	Insufficient, Rose, Fell               bool
}

type gradeCount struct{ From, To, Count string }

type rankingData struct {
	staffForm
	Runs          []runRow
	RunsPager     pager
	CanCompute    bool
	CanPublish    bool
	CanVerify     bool
	ComputePeriod string
	Run           *runRow
	RunVersion    int64
	Draft         bool
	InputsSum     string
	ResultsSum    string
	GradeChart    template.HTML
	Previous      string
	PreviousHref  string
	Both, Entered string
	Left          string
	Risers        []moveRow
	Fallers       []moveRow
	GradeChanges  []moveRow
	GradeCounts   []gradeCount
	GradeChangeN  string
	Results       []resultRow
	ResultsPager  pager
	Province      string
	Grade         string
	ProvinceOpts  []option
	GradeOpts     []option
	Verify        *verifyView
	XLSX, CSV     string
}

func (s *Server) adminRanking(c *gin.Context) { s.staffPage(s.rankingPage)(c) }

func (s *Server) rankingPage(c *gin.Context, v *staffView) (staffResult, error) {
	return s.buildRanking(c, v, v.notice(), http.StatusOK, nil)
}

// buildRanking lays out the page around the run asked for (?run=, by
// default the newest), with a form's refusal or a verification.
func (s *Server) buildRanking(c *gin.Context, v *staffView, form staffForm, status int, ver *ranking.Verification) (staffResult, error) {
	ctx := c.Request.Context()
	var fe daftar.FieldErrors
	rp := Page{Page: int(max(intQuery(c, &fe, "runs_page", 1, 1_000_000), 1)), PageSize: 12}
	p, pfe := pageOf(c, 25, 500)
	fe = append(fe, pfe...)
	runID := intQuery(c, &fe, "run", 1, 1<<62)
	province, grade := c.Query("province"), queryString(c, &fe, "grade", 10)
	if province != "" {
		if r, ok := s.Gazetteer.Get(province); !ok || r.Level != geo.LevelProvince {
			fe.Add("province", "unknown", "is not a province code")
		}
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	runs, total, err := s.Ranking.Runs(ctx, rp.PageSize, rp.Offset())
	if err != nil {
		return staffResult{}, err
	}
	d := rankingData{staffForm: form, RunsPager: v.pagerOf(rp, total, "runs_page"),
		CanCompute:    v.can(http.MethodPost, "/admin/ranking/runs"),
		CanPublish:    v.can(http.MethodPost, "/admin/ranking/runs/:id/publish"),
		CanVerify:     v.can(http.MethodPost, "/admin/ranking/runs/:id/verify"),
		ComputePeriod: v.digits(daftar.MonthOf(s.Clock.Now()).Previous().String()), Province: province, Grade: grade,
		ProvinceOpts: v.provinceOptions(province)}
	for _, r := range runs {
		if r.Period == daftar.MonthOf(s.Clock.Now()).Previous().String() && r.State == ranking.StatePublished {
			d.ComputePeriod = v.digits(daftar.MonthOf(s.Clock.Now()).String()) // last month is done: this month's preview
		}
	}
	if f := form.Form["period"]; f != "" {
		d.ComputePeriod = f
	}
	if runID == 0 && len(runs) > 0 && rp.Page == 1 {
		runID = runs[0].ID
	}
	for _, r := range runs {
		d.Runs = append(d.Runs, v.runRowOf(r, r.ID == runID))
	}
	if runID == 0 {
		return staffResult{status: status, page: "admin_ranking", title: "ranking_title", data: d}, nil
	}
	run, err := s.Ranking.Get(ctx, runID)
	if err != nil {
		return staffResult{}, err
	}
	row := v.runRowOf(run, true)
	d.Run, d.RunVersion, d.Draft = &row, run.Version, run.State == ranking.StateDraft
	d.InputsSum, d.ResultsSum = short(run.InputsChecksum), short(run.ResultsChecksum)
	d.XLSX, d.CSV = v.report("rankings", "xlsx", "period", run.Period), v.report("rankings", "csv", "period", run.Period)
	if ver != nil {
		if d.Verify, err = s.verifyViewOf(ctx, v, *ver); err != nil {
			return staffResult{}, err
		}
	}

	cmpn, err := s.Ranking.Compare(ctx, runID, 10)
	if err != nil {
		return staffResult{}, err
	}
	all, _, err := s.Ranking.Results(ctx, runID, ranking.ResultFilter{Limit: -1})
	if err != nil {
		return staffResult{}, err
	}
	grades := map[string]int{}
	var gradeNames []string
	for _, r := range all {
		if r.Grade != nil {
			if grades[*r.Grade] == 0 {
				gradeNames = append(gradeNames, *r.Grade)
			}
			grades[*r.Grade]++
		}
	}
	slices.Sort(gradeNames)
	d.GradeOpts = v.options("grade_", grade, gradeNames...)
	bc := chart.BarChart{XTitle: v.t("grade"), ValueTitle: v.t("offices"), Unit: v.t("offices")}
	for _, g := range gradeNames {
		bc.Labels = append(bc.Labels, v.word("grade_", g))
		bc.Values = append(bc.Values, float64(grades[g]))
	}
	o := chart.ForLang(v.lang)
	o.Format = chart.Persian(0)
	if !v.fa {
		o.Format = chart.Latin(0)
	}
	o.ID, o.Title, o.Desc, o.NoData = "ranking-grades", v.t("grade_chart"), v.t("grade_chart_desc"), v.t("no_data")
	d.GradeChart = chart.Figure(bc, o, v.t("show_as_table"))

	ids := []int64{}
	for _, m := range append(append(append([]ranking.Move{}, cmpn.Risers...), cmpn.Fallers...), cmpn.GradeChanges...) {
		ids = append(ids, m.OfficeID)
	}
	if cmpn.Previous != nil {
		d.Previous = v.period(cmpn.Previous.Period)
		d.PreviousHref = "/admin/ranking?run=" + strconv.FormatInt(cmpn.Previous.ID, 10)
		d.Both, d.Entered, d.Left = v.count(int64(cmpn.Both)), v.count(int64(cmpn.Entered)), v.count(int64(cmpn.Left))
		d.GradeChangeN = v.count(int64(len(cmpn.GradeChanges)))
	}
	list, rtotal, err := s.Ranking.Results(ctx, runID, ranking.ResultFilter{Province: province, Grade: grade, Limit: p.PageSize, Offset: p.Offset()})
	if err != nil {
		return staffResult{}, err
	}
	for _, r := range list {
		ids = append(ids, r.OfficeID)
	}
	labels, err := s.Offices.Labels(ctx, nil, ids)
	if err != nil {
		return staffResult{}, err
	}
	name := func(id int64) string { l := labels[id]; return nameIn(v.lang, l.NameFa, l.NameEn) }
	move := func(m ranking.Move) moveRow {
		up := m.Up()
		u := v.count(int64(cmpAbsInt(up)))
		if up > 0 {
			u = signed("+", u)
		} else if up < 0 {
			u = signed("−", u)
		}
		return moveRow{OfficeID: m.OfficeID, Office: name(m.OfficeID), Code: m.Code, Province: v.region(m.Province),
			RankBefore: v.count(int64(m.RankBefore)), Rank: v.count(int64(m.Rank)), Up: u,
			ScoreBefore: v.num(m.ScoreBefore, 1), Score: v.num(m.Score, 1), GradeBefore: v.word("grade_", m.GradeBefore), Grade: v.word("grade_", m.Grade)}
	}
	for _, m := range cmpn.Risers {
		d.Risers = append(d.Risers, move(m))
	}
	for _, m := range cmpn.Fallers {
		d.Fallers = append(d.Fallers, move(m))
	}
	for i, m := range cmpn.GradeChanges {
		if i == 20 {
			break
		}
		d.GradeChanges = append(d.GradeChanges, move(m))
	}
	var pairs [][2]string
	for k := range cmpn.Grades {
		pairs = append(pairs, k)
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		return cmp.Compare(a[1], b[1])
	})
	for _, k := range pairs {
		d.GradeCounts = append(d.GradeCounts, gradeCount{From: v.word("grade_", k[0]), To: v.word("grade_", k[1]), Count: v.count(int64(cmpn.Grades[k]))})
	}
	d.ResultsPager = v.pager(p, rtotal)
	for _, l := range []*string{&d.ResultsPager.Prev, &d.ResultsPager.Next} {
		if *l != "" {
			*l += "#results"
		}
	}
	for _, r := range list {
		row := resultRow{OfficeID: r.OfficeID, Office: name(r.OfficeID), Code: r.Code, Province: v.region(r.Province),
			Rank: intPtr(v, r.RankNational), RankProvince: intPtr(v, r.RankProvince), Score: v.numPtr(r.Score, 1),
			Grade: v.word("grade_", ptrString(r.Grade)), Responses: v.count(r.Responses), Insufficient: r.InsufficientData, Change: "—"}
		if r.RankChange != nil {
			switch up := *r.RankChange; {
			case up > 0:
				row.Change, row.Rose = signed("+", v.count(int64(up))), true
			case up < 0:
				row.Change, row.Fell = signed("−", v.count(int64(-up))), true
			default:
				row.Change = v.count(0)
			}
		}
		d.Results = append(d.Results, row)
	}
	return staffResult{status: status, page: "admin_ranking", title: "ranking_title", data: d}, nil
}

func (v *staffView) runRowOf(r ranking.Run, current bool) runRow {
	row := runRow{ID: r.ID, Period: v.period(r.Period), State: v.word("run_state_", r.State), StateClass: runBadge(r.State),
		Directive: v.count(int64(r.DirectiveVersion)), Ranked: v.count(int64(r.Ranked)), Offices: v.count(int64(r.Offices)),
		Created: v.dateTime(r.CreatedAt), By: r.CreatedBy, Published: v.dateTimePtr(r.PublishedAt), Current: current}
	return row
}

// pagerOf is a pager over its own page parameter (a page with two lists).
func (v *staffView) pagerOf(p Page, total int64, param string) pager {
	out := v.pager(p, total)
	out.Prev, out.Next = "", ""
	if p.Page > 1 {
		out.Prev = v.link(param, strconv.Itoa(min(p.Page-1, out.Pages)))
	}
	if p.Page < out.Pages {
		out.Next = v.link(param, strconv.Itoa(p.Page+1))
	}
	return out
}

// signed puts a sign before a number so that it stays on the number's
// left in right-to-left text (a left-to-right mark leads).
func signed(sign, n string) string { return "\u200e" + sign + n }

// short is the head of a checksum, enough to tell two apart by eye.
func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

func cmpAbsInt(n int) int { return max(n, -n) }

// computeRun is the page's form for POST /api/v1/ranking/runs.
func (s *Server) computeRunPage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		form := formOf(c, 20, "period")
		var err error
		var run ranking.Run
		if form["period"] == "" {
			err = daftar.Invalid("invalid_run", "the period is required", daftar.Field("period", "required", "a Jalali month like 1405-07"))
		} else {
			run, err = s.Ranking.Compute(c.Request.Context(), form["period"])
		}
		if err != nil {
			f, status, err := v.refused(err, "compute", form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildRanking(c, v.at("/admin/ranking"), f, status, nil)
		}
		return done("/admin/ranking?run="+strconv.FormatInt(run.ID, 10), "run_computed", v.lang), nil
	})(c)
}

// publishRunPage is the page's form for POST
// /api/v1/ranking/runs/{id}/publish: the draft's version read with the
// page, and a confirmation, since a published run never changes.
func (s *Server) publishRunPage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		id, err := pathID(c, "id")
		if err != nil {
			return staffResult{}, err
		}
		form := formOf(c, 20, "version", "confirm")
		c.Request.URL.RawQuery = "run=" + strconv.FormatInt(id, 10)
		var fe daftar.FieldErrors
		version := intField(&fe, form, "version", 1, 1<<62)
		if version == nil && form["version"] == "" {
			fe.Add("version", "required", "the draft's version")
		}
		err = fe.Err(daftar.KindInvalid, "invalid_publish", "the publication is not valid")
		if err == nil {
			err = confirmed(form)
		}
		if err == nil {
			_, err = s.Ranking.Publish(c.Request.Context(), id, *version)
		}
		if err != nil {
			f, status, err := v.refused(err, "publish", form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildRanking(c, v.at("/admin/ranking"), f, status, nil)
		}
		return done("/admin/ranking?run="+strconv.FormatInt(id, 10), "run_published", v.lang), nil
	})(c)
}

// verifyRunPage is the page's form for POST /api/v1/ranking/runs/{id}/verify:
// the answer is shown on the run's page.
func (s *Server) verifyRunPage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		id, err := pathID(c, "id")
		if err != nil {
			return staffResult{}, err
		}
		ver, err := s.Ranking.Verify(c.Request.Context(), id)
		if err != nil {
			return staffResult{}, err
		}
		c.Request.URL.RawQuery = "run=" + strconv.FormatInt(id, 10)
		return s.buildRanking(c, v.at("/admin/ranking"), staffForm{}, http.StatusOK, &ver)
	})(c)
}
