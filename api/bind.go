package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/gin-gonic/gin"
)

func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeJSON answers with a JSON body.
func writeJSON(c *gin.Context, status int, v any) {
	body, err := jsonMarshal(v)
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Data(status, "application/json; charset=utf-8", body)
}

func itoa(n int) string { return strconv.Itoa(n) }

// bindJSON decodes the request body strictly into dst (a request type, never
// a database model): unknown fields, wrong types, trailing data and an empty
// body are refused with a problem naming the field.
func bindJSON(c *gin.Context, dst any) error {
	// Any declared type but a multipart form is read as JSON: curl -d sends
	// a JSON body as application/x-www-form-urlencoded, and a body that is
	// not JSON is refused below anyway.
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		return daftar.Invalid("unsupported_media_type", "the body must be application/json")
	}
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if dec.More() {
			return daftar.Invalid("malformed_json", "the body holds more than one JSON value")
		}
		if _, err := dec.Token(); err != io.EOF {
			return daftar.Invalid("malformed_json", "unexpected data after the JSON value")
		}
		return nil
	}
	return jsonError(err)
}

// jsonError turns a decoding error into a problem naming the field.
func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		mbe    *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return daftar.TooLarge("body_too_large", fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit))
	case errors.Is(err, io.EOF):
		return daftar.Invalid("empty_body", "the request body is empty; a JSON object is expected")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return daftar.Invalid("malformed_json", "the JSON body ends too early")
	case errors.As(err, &syntax):
		return daftar.Invalid("malformed_json", fmt.Sprintf("the JSON body is malformed at byte %d", syntax.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return daftar.Invalid("malformed_json", fmt.Sprintf("the body must be a JSON %s", jsonTypeName(typ.Type.String())))
		}
		return daftar.Invalid("invalid_field_type", "a field has the wrong type",
			daftar.Field(field, "wrong_type", fmt.Sprintf("must be %s, not %s", jsonTypeName(typ.Type.String()), typ.Value)))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return daftar.Invalid("unknown_field", "the body has a field this endpoint does not take",
			daftar.Field(name, "unknown", "is not a field of this request"))
	}
	// Errors from a type's own UnmarshalJSON (e.g. opening hours).
	return daftar.Invalid("malformed_json", "the JSON body is not valid: "+err.Error())
}

func jsonTypeName(goType string) string {
	goType = strings.TrimPrefix(goType, "*")
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map"), strings.Contains(goType, "."):
		return "an object"
	}
	return goType
}

// Page is the pagination of a list request.
type Page struct {
	Page     int
	PageSize int
}

func (p Page) Offset() int { return (p.Page - 1) * p.PageSize }

// pageOf reads page and page_size (Persian digits accepted).
func pageOf(c *gin.Context, defSize, maxSize int) (Page, daftar.FieldErrors) {
	var fe daftar.FieldErrors
	p := Page{Page: 1, PageSize: defSize}
	if v, ok := c.GetQuery("page"); ok {
		n, err := daftar.ParseInt(v)
		if err != nil || n < 1 || n > 1_000_000 {
			fe.Add("page", "invalid", "must be a whole number from 1")
		} else {
			p.Page = int(n)
		}
	}
	if v, ok := c.GetQuery("page_size"); ok {
		n, err := daftar.ParseInt(v)
		if err != nil || n < 1 || n > int64(maxSize) {
			fe.Add("page_size", "invalid", fmt.Sprintf("must be a whole number from 1 to %d", maxSize))
		} else {
			p.PageSize = int(n)
		}
	}
	return p, fe
}

// ListResponse is the envelope of every paginated list.
type ListResponse[T any] struct {
	Items    []T   `json:"items"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
	Total    int64 `json:"total"`
}

func listOf[T any](items []T, p Page, total int64) ListResponse[T] {
	if items == nil {
		items = []T{}
	}
	return ListResponse[T]{Items: items, Page: p.Page, PageSize: p.PageSize, Total: total}
}

// pathID reads a positive integer path parameter.
func pathID(c *gin.Context, name string) (int64, error) {
	v := daftar.NormalizeDigits(c.Param(name))
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, daftar.NotFound("not_found", "no such "+strings.TrimSuffix(name, "_id"))
	}
	return n, nil
}

// queryString reads a bounded query parameter.
func queryString(c *gin.Context, fe *daftar.FieldErrors, name string, maxLen int) string {
	v := strings.TrimSpace(c.Query(name))
	if len(v) > maxLen {
		fe.Add(name, "too_long", fmt.Sprintf("must be at most %d bytes", maxLen))
		return ""
	}
	return v
}

func sortInt64(s []int64) { slices.Sort(s) }
