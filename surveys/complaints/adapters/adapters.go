// Package adapters connects the complaints to the packages they ask
// things of: the office register, the survey links and the accounts, each
// behind the small interface package complaints defines. They live here,
// not in complaints itself, so that complaints depends on none of them and
// every place that builds the service (the app, the API tests, the demo)
// wires it the same way. The surveys service is the outbox as it is.
package adapters

import (
	"context"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
)

// Offices reads the register for complaints. Notices go to the office's
// registered phone when it is a mobile number.
type Offices struct{ Register *offices.Register }

func officeOf(o offices.Office) complaints.Office {
	return complaints.Office{ID: o.ID, Code: o.Code, Name: o.NameFa, Province: o.ProvinceCode, City: o.CityCode,
		Active: o.Status == offices.Active, NoticeMobile: o.Phone}
}

// OfficeByID implements complaints.Offices.
func (a Offices) OfficeByID(ctx context.Context, id int64) (complaints.Office, error) {
	if id <= 0 {
		return complaints.Office{}, daftar.NotFound("office_not_found", "no such office")
	}
	o, err := a.Register.Get(ctx, id)
	if err != nil {
		return complaints.Office{}, err
	}
	return officeOf(o), nil
}

// OfficeByCode implements complaints.Offices: the register's text search
// narrows to a few offices, of which the one with exactly this code wins.
func (a Offices) OfficeByCode(ctx context.Context, code string) (complaints.Office, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code != "" && len(code) <= 32 {
		list, _, err := a.Register.List(ctx, offices.Filter{Query: code, Limit: 20})
		if err != nil {
			return complaints.Office{}, err
		}
		for _, o := range list {
			if strings.EqualFold(o.Code, code) {
				return officeOf(o), nil
			}
		}
	}
	return complaints.Office{}, daftar.NotFound("office_not_found", "no office has this code")
}

// Surveys reads survey links for complaints.
type Surveys struct{ Service *surveys.Service }

// SurveyVisit implements complaints.SurveyVisits.
func (a Surveys) SurveyVisit(ctx context.Context, token string) (complaints.SurveyVisit, error) {
	v, err := a.Service.VisitOfLink(ctx, token)
	if err != nil {
		return complaints.SurveyVisit{}, err
	}
	return complaints.SurveyVisit{OfficeID: v.OfficeID, Day: v.VisitDay, Service: v.ServiceCode}, nil
}

// Inspectors says whether an account can take complaint cases.
type Inspectors struct{ Accounts *accounts.Service }

// ActiveInspector implements complaints.Inspectors.
func (a Inspectors) ActiveInspector(ctx context.Context, id int64) (bool, error) {
	u, err := a.Accounts.Get(ctx, id)
	if daftar.IsKind(err, daftar.KindNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return u.Role == string(daftar.RoleInspector) && !u.Disabled, nil
}
