package visits

import (
	"context"
	"fmt"

	"github.com/daftar-ir/daftar"
)

// RollupsVersion fingerprints the rollups a range reads: the month rows
// of every month it overlaps. Every writer of rollups rewrites the month
// rows of the days it touches (rollup_store.go), so a visit recorded,
// imported or rebuilt anywhere in the range changes it. It reads a few
// thousand small rows, where the figures read every day row: cheap enough
// to ask every minute whether a stored model is still current.
func (c *Crowding) RollupsVersion(ctx context.Context, r CrowdingRange) (string, error) {
	var n, arrivals, served, waits, services, busy, queue int64
	err := c.db.Query(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(arrivals), 0) AS BIGINT), CAST(COALESCE(SUM(served), 0) AS BIGINT),
		CAST(COALESCE(SUM(wait_sum), 0) AS BIGINT), CAST(COALESCE(SUM(service_sum), 0) AS BIGINT),
		CAST(COALESCE(SUM(busy_s), 0) AS BIGINT), CAST(COALESCE(SUM(queue_area), 0) AS BIGINT)
		FROM crowding_months WHERE month_at >= ? AND month_at < ?`, []any{daftar.MonthStart(r.From), r.To},
		func(scan func(...any) error) error {
			return scan(&n, &arrivals, &served, &waits, &services, &busy, &queue)
		})
	if err != nil {
		return "", fmt.Errorf("rollups version: %w", err)
	}
	return fmt.Sprintf("rollups:%d-%d:%d/%d/%d/%d/%d/%d/%d", r.From, r.To, n, arrivals, served, waits, services, busy, queue), nil
}

// RecentRange is the range of the days days ending today (Tehran), today
// included: the crowding figures' default.
func RecentRange(now int64, days int) CrowdingRange {
	today := daftar.DayStart(now)
	return CrowdingRange{From: today - int64(days-1)*daftar.DaySeconds, To: today + daftar.DaySeconds}
}
