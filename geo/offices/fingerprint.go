package offices

import (
	"context"
	"fmt"
)

// Fingerprint changes whenever the register does: an office added, or
// any office changed (every change moves its version on). The stored
// models that read the register (the demand model, the regional crowding
// figures) are recomputed when it changes.
func (o *Register) Fingerprint(ctx context.Context) (string, error) {
	var n, versions, ids int64
	err := o.db.Query(ctx, "SELECT COUNT(*), CAST(COALESCE(SUM(version), 0) AS BIGINT), CAST(COALESCE(SUM(id), 0) AS BIGINT) FROM offices", nil,
		func(scan func(...any) error) error { return scan(&n, &versions, &ids) })
	if err != nil {
		return "", fmt.Errorf("offices fingerprint: %w", err)
	}
	return fmt.Sprintf("offices:%d/%d/%d", n, versions, ids), nil
}
