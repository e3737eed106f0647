package licensing

import "time"

// licenceRow is a licence as the licences table stores it; Licence is what
// the package hands out.
type licenceRow struct {
	ID                       int64      `gorm:"column:id;primaryKey"`
	Number                   string     `gorm:"column:number"`
	Province                 string     `gorm:"column:province_code"`
	Year                     int        `gorm:"column:year"`
	Seq                      int        `gorm:"column:seq"`
	Region                   string     `gorm:"column:region"`
	RoundID                  *int64     `gorm:"column:round_id"`
	CandidateID              *int64     `gorm:"column:candidate_id"`
	HolderName               string     `gorm:"column:holder_name"`
	HolderNationalCodeMasked string     `gorm:"column:holder_national_code_masked"`
	Source                   string     `gorm:"column:source"`
	State                    string     `gorm:"column:state"`
	StateReason              string     `gorm:"column:state_reason"`
	OfficeID                 *int64     `gorm:"column:office_id"`
	ValidFrom                time.Time  `gorm:"column:valid_from"`
	ValidUntil               time.Time  `gorm:"column:valid_until"`
	Renewals                 int        `gorm:"column:renewals"`
	ExpiryFlaggedAt          *time.Time `gorm:"column:expiry_flagged_at"`
	IssuedAt                 time.Time  `gorm:"column:issued_at"`
	IssuedBy                 string     `gorm:"column:issued_by"`
	ActivatedAt              *time.Time `gorm:"column:activated_at"`
	Version                  int64      `gorm:"column:version"`
	UpdatedAt                time.Time  `gorm:"column:updated_at"`
}

func (licenceRow) TableName() string { return "licences" }

// licenceOf converts a stored licence, its times in UTC (PostgreSQL hands
// them back in the session's zone).
func licenceOf(r licenceRow) Licence {
	return Licence{ID: r.ID, Number: r.Number, Province: r.Province, Year: r.Year, Seq: r.Seq, Region: r.Region,
		RoundID: r.RoundID, CandidateID: r.CandidateID, HolderName: r.HolderName, HolderNationalCodeMasked: r.HolderNationalCodeMasked,
		Source: r.Source, State: r.State, StateReason: r.StateReason, OfficeID: r.OfficeID,
		ValidFrom: r.ValidFrom.UTC(), ValidUntil: r.ValidUntil.UTC(), Renewals: r.Renewals,
		ExpiryFlaggedAt: utcPtr(r.ExpiryFlaggedAt), IssuedAt: r.IssuedAt.UTC(), IssuedBy: r.IssuedBy,
		ActivatedAt: utcPtr(r.ActivatedAt), Version: r.Version, UpdatedAt: r.UpdatedAt.UTC()}
}

// rowOf is the row that stores l.
func (l Licence) rowOf() licenceRow {
	return licenceRow{ID: l.ID, Number: l.Number, Province: l.Province, Year: l.Year, Seq: l.Seq, Region: l.Region,
		RoundID: l.RoundID, CandidateID: l.CandidateID, HolderName: l.HolderName, HolderNationalCodeMasked: l.HolderNationalCodeMasked,
		Source: l.Source, State: l.State, StateReason: l.StateReason, OfficeID: l.OfficeID,
		ValidFrom: l.ValidFrom, ValidUntil: l.ValidUntil, Renewals: l.Renewals, ExpiryFlaggedAt: l.ExpiryFlaggedAt,
		IssuedAt: l.IssuedAt, IssuedBy: l.IssuedBy, ActivatedAt: l.ActivatedAt, Version: l.Version, UpdatedAt: l.UpdatedAt}
}
