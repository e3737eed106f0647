package api

import (
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

func (s *Server) demandPage(c *gin.Context) (any, error) {
	lang := s.langOf(c)
	q := s.query(c)
	province := q.province("province")
	city, addText := c.Query("city"), c.Query("add")
	add := int(q.intIn("add", 0, 10000))
	if err := q.errAs("invalid_query", "the filter is not valid"); err != nil {
		return nil, err
	}
	res, err := s.Demand.Compute(c.Request.Context(), licensing.DemandQuery{})
	if err != nil {
		return nil, err
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
			return nil, err
		}
		if err == nil {
			data["WhatIf"] = w
			data["WhatIfName"] = nameIn(lang, w.NameFa, w.NameEn)
		} else {
			data["WhatIfError"] = true
		}
	}
	return page{Name: "demand", Title: "demand", Data: pageData{Data: data}}, nil
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

func (s *Server) roundsPage(c *gin.Context) (any, error) {
	lang := s.langOf(c)
	ctx := c.Request.Context()
	list, _, err := s.Rounds.List(ctx, licensing.RoundFilter{Limit: 20})
	if err != nil {
		return nil, err
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
		return nil, err
	}
	var counts []countFigure
	for _, st := range licensing.LicenceStates {
		counts = append(counts, countFigure{Label: "licence_" + st, Value: byState[st]})
	}
	return page{Name: "rounds", Title: "licensing", Data: pageData{Data: map[string]any{"Rounds": rounds, "Counts": counts}}}, nil
}
