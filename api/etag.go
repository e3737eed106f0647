package api

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/gin-gonic/gin"
)

// etagOf is the strong ETag of a record version.
func etagOf(version int64) string { return fmt.Sprintf(`"%d"`, version) }

// ifMatch is an If-Match header read by RFC 9110 (section 13.1.1): "*", or
// a list of entity tags of which a strong tag naming a version can match.
type ifMatch struct {
	present bool
	any     bool    // "*": any current version matches
	tags    []int64 // versions of the strong tags that name one; weak tags and others can never match
}

// parseIfMatch reads the header. Only a header that does not parse is
// refused (400); a well-formed tag that cannot match is kept out of tags.
func parseIfMatch(h string) (ifMatch, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return ifMatch{}, nil
	}
	m := ifMatch{present: true}
	elements := 0
	if h == "*" {
		m.any = true
		return m, nil
	}
	bad := daftar.Invalid("invalid_if_match", `If-Match must be "*" or a list of entity tags such as "3"`,
		daftar.Field("If-Match", "invalid", `must look like "3" (several: "3", "4")`))
	for _, part := range strings.Split(h, ",") {
		tag := strings.TrimSpace(part)
		if tag == "" {
			continue // the list syntax allows empty elements
		}
		elements++
		weak := strings.HasPrefix(tag, "W/")
		tag = strings.TrimPrefix(tag, "W/")
		if len(tag) < 2 || tag[0] != '"' || tag[len(tag)-1] != '"' {
			return ifMatch{}, bad
		}
		opaque := tag[1 : len(tag)-1]
		for i := 0; i < len(opaque); i++ {
			// etagc = %x21 / %x23-7E / obs-text
			if b := opaque[i]; b < 0x21 || b == '"' || b == 0x7f {
				return ifMatch{}, bad
			}
		}
		if weak {
			continue // strong comparison: a weak tag never matches
		}
		if n, err := strconv.ParseInt(opaque, 10, 64); err == nil && n > 0 && strconv.FormatInt(n, 10) == opaque {
			m.tags = append(m.tags, n)
		}
	}
	if elements == 0 {
		return ifMatch{}, bad
	}
	return m, nil
}

// stale is the answer to a precondition that no version of the record can
// meet: the write is stale (409, as every stale write is answered).
func stale() error {
	return daftar.Conflict("version_stale", "If-Match names no version the record has; reload it and try again")
}

// versionFrom reads the version a write expects, from If-Match (see
// ifMatch) or the version in the body; zero means no expectation. current
// reads the record's version, needed only when the header lists several
// tags: the one that matches is then the expectation the service checks
// inside its transaction.
func versionFrom(c *gin.Context, body *int64, current func() (int64, error)) (int64, error) {
	m, err := parseIfMatch(c.GetHeader("If-Match"))
	if err != nil {
		return 0, err
	}
	if body != nil && *body <= 0 {
		return 0, daftar.Invalid("invalid_version", "the version is not valid", daftar.Field("version", "invalid", "must be a positive version number"))
	}
	switch {
	case !m.present || m.any:
		if body != nil {
			return *body, nil
		}
		return 0, nil // "*": the service's 404 answers a record that does not exist
	case len(m.tags) == 0:
		return 0, stale()
	}
	want := m.tags[0]
	if len(m.tags) > 1 {
		if current == nil {
			return 0, stale()
		}
		v, err := current()
		if err != nil {
			return 0, err
		}
		if !slices.Contains(m.tags, v) {
			return 0, stale()
		}
		want = v
	}
	if body != nil && !slices.Contains(m.tags, *body) {
		return 0, daftar.Invalid("version_mismatch", "If-Match and the body name different versions",
			daftar.Field("version", "mismatch", "differs from If-Match"))
	}
	if body != nil {
		want = *body
	}
	return want, nil
}
