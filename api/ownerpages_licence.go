package api

import (
	"html/template"
	"math"
	"strings"

	"github.com/daftar-ir/daftar/licensing"
	"github.com/gin-gonic/gin"
)

// licenceView is the dashboard's licence section: the office's licence
// (its newest, when it has had several), what happens when it runs out and
// how to renew it.
type licenceView struct {
	None                  bool
	Number                template.HTML
	State, StateKey       string
	ValidFrom, ValidUntil string
	DaysLeft              string
	Expiring, Expired     bool
	Renewals              string
	AtExpiry, HowToRenew  string
}

func (s *Server) licenceSection(c *gin.Context, k kit, id int64) (licenceView, error) {
	list, _, err := s.Licences.List(c.Request.Context(), licensing.LicenceFilter{OfficeID: id, Limit: 1})
	if err != nil {
		return licenceView{}, err
	}
	cfg := s.Licences.Config()
	years := k.Int(int64(cfg.ValidityYears))
	warn := k.Int(int64(math.Round(cfg.ExpiryWarning.Hours() / 24)))
	v := licenceView{
		AtExpiry:   strings.NewReplacer("{years}", years).Replace(k.t("licence_at_expiry")),
		HowToRenew: strings.NewReplacer("{years}", years, "{days}", warn).Replace(k.t("licence_how_to_renew")),
	}
	if len(list) == 0 {
		v.None = true
		return v, nil
	}
	l := list[0]
	v.Number, v.StateKey, v.State = k.LTR(l.Number), l.State, k.t("licence_"+l.State)
	v.ValidFrom, v.ValidUntil, v.Renewals = k.Date(l.ValidFrom), k.Date(l.ValidUntil), k.Int(int64(l.Renewals))
	days := int64(math.Ceil(l.ValidUntil.Sub(s.Clock.Now()).Hours() / 24))
	v.Expired = days <= 0 || l.State == licensing.LicenceExpired
	v.Expiring = !v.Expired && l.ExpiryFlaggedAt != nil
	if !v.Expired {
		v.DaysLeft = k.Int(days) + " " + k.t("days")
	}
	return v, nil
}
