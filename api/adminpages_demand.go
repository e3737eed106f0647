package api

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/gin-gonic/gin"
)

// /admin/demand: the demand model's cities (GET /api/v1/demand) with the
// figures behind each number, and the what-if of GET
// /api/v1/demand/{code}/what-if, asked by the city's name.

type demandRow struct {
	Code, Name, Province, Binding, Explanation string
	Population, Active, LicensedNotOpen        string
	PerOffice, Needed, Shortage, WaitP90       string
	OfficesHref, WhatIfHref                    string
}

type whatIfRow struct {
	Label, Offices, Counters, PerOffice, Utilisation, Wait, P90 string
	Stable                                                      bool
}

type demandData struct {
	staffForm
	Rows            []demandRow
	Pager           pager
	Sort            sorting
	Province        string
	ProvinceOptions []option
	Window          string
	PerOffice       string
	TargetSource    string
	NationalAverage string
	NotaryRange     string
	WaitTarget      string
	Shortage        string
	WhatIf          *whatIfView
	XLSX, CSV       string
}

type whatIfView struct {
	Name, Add, CountersEach, PeakHour, Arrivals string
	Rows                                        []whatIfRow
	NoVisits                                    bool
}

func (s *Server) demandPage(c *gin.Context) { s.staffPage(s.adminDemand)(c) }

func (s *Server) adminDemand(c *gin.Context, v *staffView) (staffResult, error) {
	p, fe := pageOf(c, 50, 200)
	province := c.Query("province")
	if province != "" {
		if r, ok := s.Gazetteer.Get(province); !ok || r.Level != geo.LevelProvince {
			fe.Add("province", "unknown", "is not a province code")
		}
	}
	sort := v.sortOf(&fe, "shortage", "per_office", "wait", "population")
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	res, err := s.Demand.Compute(c.Request.Context(), licensing.DemandQuery{})
	if err != nil {
		return staffResult{}, err
	}
	var list []licensing.RegionDemand
	for _, d := range res.Regions {
		if province == "" || d.Province == province {
			list = append(list, d)
		}
	}
	if sort.By != "shortage" { // the model's own order is shortage first
		key := map[string]func(licensing.RegionDemand) float64{
			"per_office": func(d licensing.RegionDemand) float64 { return ptrOr(d.PopulationPerOffice, 1e18) },
			"wait":       func(d licensing.RegionDemand) float64 { return ptrOr(d.Crowding.WaitP90Min, -1) },
			"population": func(d licensing.RegionDemand) float64 { return float64(d.Population) },
		}[sort.By]
		slices.SortStableFunc(list, func(a, b licensing.RegionDemand) int { return cmp.Compare(key(b), key(a)) })
	}
	m := res.Model
	d := demandData{staffForm: v.notice(), Sort: sort, Province: province, ProvinceOptions: v.provinceOptions(province),
		Pager: v.pager(p, int64(len(list))), Window: v.date(m.From) + " – " + v.date(m.To.AddDate(0, 0, -1)),
		PerOffice: v.num(m.TargetPopulationPerOffice, 0), TargetSource: v.word("target_source_", m.TargetSource),
		NationalAverage: v.num(m.NationalAverage, 0), NotaryRange: v.count(int64(m.NotaryLawMin)) + " – " + v.count(int64(m.NotaryLawMax)),
		WaitTarget: v.num(m.WaitTargetMin, 0), Shortage: v.count(int64(m.Shortage)),
		XLSX: v.report("demand", "xlsx"), CSV: v.report("demand", "csv")}
	lo, hi := min(p.Offset(), len(list)), min(p.Offset()+p.PageSize, len(list))
	for _, x := range list[lo:hi] {
		add := max(x.Shortage, 1)
		d.Rows = append(d.Rows, demandRow{Code: x.Region, Name: nameIn(v.lang, x.NameFa, x.NameEn), Province: v.region(x.Province),
			Binding: v.word("binding_", x.Binding), Explanation: v.digits(nameIn(v.lang, x.ExplanationFa, x.Explanation)),
			Population: v.count(x.Population), Active: v.count(int64(x.ActiveOffices)), LicensedNotOpen: v.count(int64(x.LicensedNotOpen)),
			PerOffice: v.numPtr(x.PopulationPerOffice, 0), Needed: v.count(int64(x.Needed)), Shortage: v.count(int64(x.Shortage)),
			WaitP90: v.numPtr(x.Crowding.WaitP90Min, 1), OfficesHref: "/admin/offices?city=" + x.Region,
			WhatIfHref: "/admin/demand?" + whatIfQueryOf(x.Region, add, province) + "#whatif"})
	}
	status := 200
	if city := strings.TrimSpace(c.Query("city")); city != "" || c.Query("add") != "" {
		form := map[string]string{"city": city, "add": strings.TrimSpace(c.Query("add"))}
		w, err := s.whatIf(v, res, form)
		form["add"] = v.digits(form["add"])
		if err != nil {
			f, st, err := v.refused(err, "whatif", form)
			if err != nil {
				return staffResult{}, err
			}
			d.staffForm, status = f, st
		} else {
			d.WhatIf = w
			d.Form = form
		}
	}
	return staffResult{status: status, page: "admin_demand", title: "demand", data: d}, nil
}

func whatIfQueryOf(code string, add int, province string) string {
	q := "city=" + code + "&add=" + strconv.Itoa(add)
	if province != "" {
		q += "&province=" + province
	}
	return q
}

// whatIf reads the city (by name in either language, or code) and the
// offices to add, and asks the demand model.
func (s *Server) whatIf(v *staffView, res *licensing.DemandResult, form map[string]string) (*whatIfView, error) {
	var fe daftar.FieldErrors
	city, ok := s.Gazetteer.MatchCity(form["city"])
	if !ok {
		fe.Add("city", "unknown", "no city of that name")
	}
	add := intField(&fe, form, "add", 0, 10000)
	if add == nil && form["add"] == "" {
		fe.Add("add", "required", "how many offices to add")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_what_if", "the what-if is not valid"); err != nil {
		return nil, err
	}
	w, err := s.Demand.WhatIfFrom(res, city.Code, int(*add))
	if err != nil {
		return nil, err
	}
	out := &whatIfView{Name: nameIn(v.lang, w.NameFa, w.NameEn), Add: v.count(int64(w.Add)), CountersEach: v.count(int64(w.CountersEach)),
		Arrivals: v.numPtr(w.ArrivalsPerHour, 0), NoVisits: w.ArrivalsPerHour == nil}
	if w.PeakHour != nil {
		out.PeakHour = v.count(int64(*w.PeakHour))
	}
	for _, sc := range []struct {
		label string
		x     licensing.WhatIfScenario
	}{{v.t("before"), w.Before}, {v.t("after"), w.After}} {
		out.Rows = append(out.Rows, whatIfRow{Label: sc.label, Offices: v.count(int64(sc.x.Offices)), Counters: v.count(int64(sc.x.Counters)),
			PerOffice: v.numPtr(sc.x.PopulationPerOffice, 0), Utilisation: v.pctPtr(sc.x.Utilisation, 0),
			Wait: v.numPtr(sc.x.ExpectedWaitMin, 1), P90: v.numPtr(sc.x.WaitP90Min, 1), Stable: sc.x.Stable})
	}
	return out, nil
}
