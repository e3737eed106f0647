package api

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/gin-gonic/gin"
)

// licenceResponse is a licence with names, Jalali dates and what may be
// done with it next.
type licenceResponse struct {
	licensing.Licence
	RegionNameFa          string   `json:"region_name_fa"`
	RegionNameEn          string   `json:"region_name_en"`
	ValidFromJalali       string   `json:"valid_from_jalali"`
	ValidUntilJalali      string   `json:"valid_until_jalali"`
	IssuedAtJalali        string   `json:"issued_at_jalali"`
	ActivatedAtJalali     *string  `json:"activated_at_jalali"`
	ExpiryFlaggedAtJalali *string  `json:"expiry_flagged_at_jalali"`
	AllowedActions        []string `json:"allowed_actions" doc:"the lifecycle actions its state allows"`
}

func (s *Server) licenceOf(l licensing.Licence) licenceResponse {
	out := licenceResponse{Licence: l, ValidFromJalali: daftar.ToJalali(l.ValidFrom).String(), ValidUntilJalali: daftar.ToJalali(l.ValidUntil).String(),
		IssuedAtJalali: jalali(l.IssuedAt), ActivatedAtJalali: jalaliPtr(l.ActivatedAt), ExpiryFlaggedAtJalali: jalaliPtr(l.ExpiryFlaggedAt),
		AllowedActions: licensing.AllowedActions(l.State)}
	if r, ok := s.Gazetteer.Get(l.Region); ok {
		out.RegionNameFa, out.RegionNameEn = r.NameFa, r.NameEn
	}
	return out
}

type issueRequest struct {
	RoundID     int64  `json:"round_id" doc:"the closed round the licences come from"`
	CandidateID int64  `json:"candidate_id,omitempty" doc:"one candidate; absent: every allocation of the round not yet licensed"`
	Region      string `json:"region,omitempty" doc:"admins only, for a candidate the allocation did not place: the city whose unfilled quota the licence takes"`
	Reason      string `json:"reason,omitempty" doc:"required when issuing singly outside the allocation"`
}

type issueResponse struct {
	Issued int               `json:"issued"`
	Items  []licenceResponse `json:"items"`
}

func (s *Server) issueLicences(c *gin.Context) (any, error) {
	var req issueRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	list, err := s.Licences.Issue(c.Request.Context(), licensing.IssueRequest{RoundID: req.RoundID, CandidateID: req.CandidateID,
		Region: req.Region, Reason: req.Reason})
	if err != nil {
		return nil, err
	}
	out := issueResponse{Issued: len(list), Items: make([]licenceResponse, len(list))}
	for i, l := range list {
		out.Items[i] = s.licenceOf(l)
	}
	switch len(list) {
	case 0:
		return out, nil // everything was issued before
	case 1:
		return created(out, "/api/v1/licences/"+strconv.FormatInt(list[0].ID, 10)), nil
	}
	return reply{Status: http.StatusCreated, Body: out}, nil
}

var licencesQuery = append([]param{
	{Name: "state", Type: "string", Enum: licensing.LicenceStates},
	{Name: "region", Type: "string", Description: "city code"},
	{Name: "province", Type: "string", Description: "province code"},
	{Name: "round_id", Type: "integer"},
	{Name: "candidate_id", Type: "integer"},
	{Name: "office_id", Type: "integer"},
	{Name: "expiring", Type: "boolean", Description: "true: flagged as expiring within the warning window"},
	{Name: "q", Type: "string", Description: "licence number or holder name"},
}, pageQuery...)

func (s *Server) listLicences(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(50, 500)
	f := licensing.LicenceFilter{Limit: p.PageSize, Offset: p.Offset(), Query: q.text("q", 100),
		State: q.oneOf("state", licensing.LicenceStates), Region: q.city("region"), Province: q.province("province"),
		RoundID: q.id("round_id"), CandidateID: q.id("candidate_id"), OfficeID: q.id("office_id"), Expiring: q.boolean("expiring")}
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Licences.List(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]licenceResponse, len(list))
	for i, l := range list {
		out[i] = s.licenceOf(l)
	}
	return listOf(out, p, total), nil
}

func (s *Server) getLicence(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	l, err := s.Licences.Get(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	return tagged(s.licenceOf(l), l.Version), nil
}

// licenceActionRequest is the body of every lifecycle action; which fields
// an action takes is checked by action.
type licenceActionRequest struct {
	Reason string `json:"reason,omitempty" doc:"required for suspend, reinstate, revoke and renew"`
	// activate: an existing pending office of the licence's city ...
	OfficeID int64 `json:"office_id,omitempty" doc:"activate: an existing pending office of the licence's city"`
	// ... or the new office.
	Name         *string             `json:"name,omitempty" doc:"activate: the new office's Persian name (default from the licence)"`
	NameEn       *string             `json:"name_en,omitempty"`
	Latitude     *float64            `json:"latitude,omitempty" doc:"activate: inside the licence's city, at least the minimum distance from every active office"`
	Longitude    *float64            `json:"longitude,omitempty"`
	Address      *string             `json:"address,omitempty"`
	Phone        *string             `json:"phone,omitempty"`
	Counters     *int                `json:"counters,omitempty" doc:"activate: 1-100"`
	OpeningHours map[string][]string `json:"opening_hours,omitempty" doc:"activate: as for offices; default the usual hours"`
	Services     []string            `json:"services,omitempty" doc:"activate: service codes; default the whole catalogue"`
	Years        int                 `json:"years,omitempty" doc:"renew: years to add (1-10; default the configured validity)"`
}

func (r licenceActionRequest) officeFields() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(r.OfficeID != 0, "office_id")
	add(r.Name != nil, "name")
	add(r.NameEn != nil, "name_en")
	add(r.Latitude != nil, "latitude")
	add(r.Longitude != nil, "longitude")
	add(r.Address != nil, "address")
	add(r.Phone != nil, "phone")
	add(r.Counters != nil, "counters")
	add(r.OpeningHours != nil, "opening_hours")
	add(r.Services != nil, "services")
	return out
}

func (s *Server) licenceAction(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	action := c.Param("action")
	if !slices.Contains(licensing.LicenceActions, action) {
		return nil, daftar.NotFound("unknown_action", "no such action: activate, suspend, reinstate, revoke or renew")
	}
	var req licenceActionRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	in, err := req.input(action)
	if err != nil {
		return nil, err
	}
	l, err := s.Licences.Act(c.Request.Context(), id, action, in)
	if err != nil {
		return nil, err
	}
	return tagged(s.licenceOf(l), l.Version), nil
}

// input is the action's input; fields the action does not take are refused.
func (r licenceActionRequest) input(action string) (licensing.ActionInput, error) {
	var fe daftar.FieldErrors
	in := licensing.ActionInput{Reason: r.Reason, Years: r.Years}
	office := r.officeFields()
	if action == licensing.ActionActivate {
		in.OfficeID = r.OfficeID
		if len(office) > 0 && !(len(office) == 1 && r.OfficeID != 0) {
			in.Office = &licensing.NewOfficeInput{Name: r.Name, NameEn: r.NameEn, Latitude: r.Latitude, Longitude: r.Longitude,
				Address: r.Address, Phone: r.Phone, Counters: r.Counters, OpeningHours: r.OpeningHours, Services: r.Services}
		}
	} else {
		for _, f := range office {
			fe.Add(f, "not_allowed", "only activate takes an office")
		}
	}
	if r.Years != 0 && action != licensing.ActionRenew {
		fe.Add("years", "not_allowed", "only renew takes years")
	}
	return in, fe.Err(daftar.KindUnprocessable, "invalid_action", "the request is not valid")
}
