package api

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/gin-gonic/gin"
)

// etagOf is the strong ETag of a record version.
func etagOf(version int64) string { return fmt.Sprintf(`"%d"`, version) }

// versionFrom reads the version a write expects: the If-Match header (an
// ETag from a GET, weak or strong, or *), else the version in the body.
// Zero means "no expectation".
func versionFrom(c *gin.Context, body *int64) (int64, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" || h == "*" {
		if body != nil {
			if *body <= 0 {
				return 0, daftar.Invalid("invalid_version", "the version is not valid", daftar.Field("version", "invalid", "must be a positive version number"))
			}
			return *body, nil
		}
		return 0, nil
	}
	v := strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || strings.Contains(h, ",") {
		return 0, daftar.Invalid("invalid_if_match", "If-Match must be one ETag as returned by GET",
			daftar.Field("If-Match", "invalid", `must look like "3"`))
	}
	if body != nil && *body != n {
		return 0, daftar.Invalid("version_mismatch", "If-Match and the body name different versions",
			daftar.Field("version", "mismatch", "differs from If-Match"))
	}
	return n, nil
}
