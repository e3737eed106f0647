package geo

import (
	"context"
	"database/sql"
)

// ServedVisit is a visit whose citizen was served, as much of it as a
// survey of the visit needs. Times are Unix seconds (UTC), 0 when absent.
type ServedVisit struct {
	ID, OfficeID              int64
	Service                   string
	Arrived, Called, Finished int64
}

// Served returns every stored visit whose citizen was served, in id order.
// It is how a generator of survey history (cmd/daftar/demo) reads the
// visits it answers without querying the visits table itself; the slice
// holds all of them at once, about 60 bytes a visit.
func (v *Visits) Served(ctx context.Context) ([]ServedVisit, error) {
	rows, err := v.db.SQL.QueryContext(ctx, `SELECT id, office_id, service_code, arrived_at, COALESCE(called_at, 0), COALESCE(finished_at, 0)
		FROM visits WHERE outcome = '`+OutcomeServed+`' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ServedVisit
	// A few dozen service codes over millions of visits: one string each.
	codes := map[string]string{}
	var code sql.RawBytes
	for rows.Next() {
		var x ServedVisit
		if err := rows.Scan(&x.ID, &x.OfficeID, &code, &x.Arrived, &x.Called, &x.Finished); err != nil {
			return nil, err
		}
		var ok bool
		if x.Service, ok = codes[string(code)]; !ok {
			x.Service = string(code)
			codes[x.Service] = x.Service
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
