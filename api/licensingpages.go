package api

import (
	"net/http"
	"strconv"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/gin-gonic/gin"
)

// The licensing pages are read-only: officials read the demand and the
// rounds here; decisions (rounds, overrides, allocation, licences) go
// through the API, where every one is validated and audited.

type demandRow struct {
	Code, Name, Province, Binding, Explanation string
	Population                                 int64
	Active, LicensedNotOpen, Needed, Shortage  int
	PerOffice                                  *int64
	WaitP90                                    string
}

func (s *Server) demandPage(c *gin.Context) {
	lang := s.langOf(c)
	var fe daftar.FieldErrors
	province := c.Query("province")
	if province != "" {
		if r, ok := s.Gazetteer.Get(province); !ok || r.Level != geo.LevelProvince {
			fe.Add("province", "unknown", "is not a province code")
		}
	}
	city, addText := c.Query("city"), c.Query("add")
	add := 0
	if addText != "" {
		n, err := daftar.ParseInt(addText)
		if err != nil || n < 0 || n > 10000 {
			fe.Add("add", "out_of_range", "must be a whole number from 0 to 10000")
		}
		add = int(n)
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the filter is not valid"); err != nil {
		s.failPage(c, err)
		return
	}
	ctx := c.Request.Context()
	res, _, err := s.DemandModels.Get(ctx, licensing.DemandQuery{})
	if err != nil {
		s.failPage(c, err)
		return
	}
	var rows []demandRow
	for _, d := range res.Regions {
		if province != "" && d.Province != province {
			continue
		}
		r := demandRow{Code: d.Region, Name: nameIn(lang, d.NameFa, d.NameEn), Province: s.regionName(lang, d.Province),
			Binding: d.Binding, Explanation: nameIn(lang, d.ExplanationFa, d.Explanation), Population: d.Population,
			Active: d.ActiveOffices, LicensedNotOpen: d.LicensedNotOpen, Needed: d.Needed, Shortage: d.Shortage}
		if d.PopulationPerOffice != nil {
			v := int64(*d.PopulationPerOffice + 0.5)
			r.PerOffice = &v
		}
		if d.Crowding.WaitP90Min != nil {
			r.WaitP90 = strconv.FormatFloat(*d.Crowding.WaitP90Min, 'f', 1, 64)
		}
		rows = append(rows, r)
	}
	var provinces []provinceRow
	for _, r := range s.Gazetteer.Level(geo.LevelProvince) {
		provinces = append(provinces, provinceRow{Code: r.Code, Name: nameIn(lang, r.NameFa, r.NameEn)})
	}
	data := map[string]any{"Rows": rows, "Model": res.Model, "From": daftar.ToJalali(res.Model.From).String(),
		"Province": province, "ProvinceOptions": provinces, "City": city, "Add": addText}
	if city != "" {
		w, err := s.Demand.WhatIfFrom(res, city, add)
		if err != nil && !daftar.IsKind(err, daftar.KindNotFound) && !daftar.IsKind(err, daftar.KindUnprocessable) {
			s.failPage(c, err)
			return
		}
		if err == nil {
			data["WhatIf"] = w
			data["WhatIfName"] = nameIn(lang, w.NameFa, w.NameEn)
		} else {
			data["WhatIfError"] = true
		}
	}
	s.render(c, http.StatusOK, "demand", "demand", pageData{Data: data})
}

func (s *Server) regionName(lang, code string) string {
	if r, ok := s.Gazetteer.Get(code); ok {
		return nameIn(lang, r.NameFa, r.NameEn)
	}
	return code
}

type quotaRow struct {
	Name                            string
	Quota, Shortage, Filled, Issued int
	Overridden                      bool
	OverrideReason                  string
}

type roundRow struct {
	ID                                        int64
	Name, State, Created                      string
	Total, Placed, Unplaced, Unfilled, Issued int
	Quotas                                    []quotaRow
}

func (s *Server) roundsPage(c *gin.Context) {
	lang := s.langOf(c)
	ctx := c.Request.Context()
	list, _, err := s.Rounds.List(ctx, licensing.RoundFilter{Limit: 20})
	if err != nil {
		s.failPage(c, err)
		return
	}
	var rounds []roundRow
	for _, r := range list {
		row := roundRow{ID: r.ID, Name: r.Name, State: r.State, Created: daftar.ToJalali(r.CreatedAt).String(), Total: r.TotalLicences,
			Placed: r.Placed, Unplaced: r.Unplaced, Unfilled: r.Unfilled, Issued: r.Issued}
		for _, q := range r.Quotas {
			if q.Quota == 0 && !q.Overridden {
				continue
			}
			qr := quotaRow{Name: nameIn(lang, q.NameFa, q.NameEn), Quota: q.Quota, Shortage: q.Shortage, Filled: q.Filled,
				Issued: q.Issued, Overridden: q.Overridden}
			if q.OverrideReason != nil {
				qr.OverrideReason = *q.OverrideReason
			}
			row.Quotas = append(row.Quotas, qr)
		}
		rounds = append(rounds, row)
	}
	byState, err := s.Licences.CountByState(ctx)
	if err != nil {
		s.failPage(c, err)
		return
	}
	var counts []countFigure
	for _, st := range licensing.LicenceStates {
		counts = append(counts, countFigure{Label: "licence_" + st, Value: byState[st]})
	}
	s.render(c, http.StatusOK, "rounds", "licensing", pageData{Data: map[string]any{"Rounds": rounds, "Counts": counts}})
}
