package daftar

import (
	"errors"
	"fmt"
)

// Kind is the class of an error as the outside world sees it. The API maps
// each kind to one HTTP status in exactly one place (api/errors.go).
type Kind string

const (
	KindInvalid         Kind = "invalid"         // 400: the request is malformed
	KindUnauthenticated Kind = "unauthenticated" // 401
	KindForbidden       Kind = "forbidden"       // 403
	KindNotFound        Kind = "not_found"       // 404
	KindConflict        Kind = "conflict"        // 409: state or version forbids it
	KindGone            Kind = "gone"            // 410: used up or expired
	KindPrecondition    Kind = "precondition"    // 412/428: missing or malformed If-Match
	KindTooLarge        Kind = "too_large"       // 413
	KindUnprocessable   Kind = "unprocessable"   // 422: well-formed but refused by a rule
	KindTooMany         Kind = "too_many"        // 429
	KindUnavailable     Kind = "unavailable"     // 503
	KindInternal        Kind = "internal"        // 500: details are logged, never returned
)

// FieldError names one field of the input and says what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is the one error type that crosses package boundaries with a meaning.
// Code is a stable machine-readable identifier (e.g. "office_version_stale").
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  []FieldError
	// Extra carries structured details worth returning to the caller
	// (for example the nearest office in a siting refusal).
	Extra map[string]any
	// Err is the underlying cause; it is logged, never returned.
	Err error
}

func (e *Error) Error() string {
	msg := string(e.Kind) + ": " + e.Code
	if e.Message != "" {
		msg += ": " + e.Message
	}
	for _, f := range e.Fields {
		msg += fmt.Sprintf(" [%s: %s]", f.Field, f.Message)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// With adds a detail to the error and returns it, for chaining.
func (e *Error) With(key string, value any) *Error {
	if e.Extra == nil {
		e.Extra = map[string]any{}
	}
	e.Extra[key] = value
	return e
}

// AsError finds a *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var de *Error
	if errors.As(err, &de) {
		return de, true
	}
	return nil, false
}

// KindOf returns the kind of err, KindInternal for anything unclassified.
func KindOf(err error) Kind {
	if de, ok := AsError(err); ok {
		return de.Kind
	}
	return KindInternal
}

// IsKind reports whether err is a *Error of kind k.
func IsKind(err error, k Kind) bool { return err != nil && KindOf(err) == k }

func newErr(k Kind, code, msg string) *Error { return &Error{Kind: k, Code: code, Message: msg} }

// Invalid reports malformed input; fields say which parts.
func Invalid(code, msg string, fields ...FieldError) *Error {
	e := newErr(KindInvalid, code, msg)
	e.Fields = fields
	return e
}

// Unprocessable reports input that is well-formed but breaks a rule.
func Unprocessable(code, msg string, fields ...FieldError) *Error {
	e := newErr(KindUnprocessable, code, msg)
	e.Fields = fields
	return e
}

func NotFound(code, msg string) *Error  { return newErr(KindNotFound, code, msg) }
func Conflict(code, msg string) *Error  { return newErr(KindConflict, code, msg) }
func Forbidden(code, msg string) *Error { return newErr(KindForbidden, code, msg) }
func Unauthenticated(code, msg string) *Error {
	return newErr(KindUnauthenticated, code, msg)
}
func Gone(code, msg string) *Error         { return newErr(KindGone, code, msg) }
func Precondition(code, msg string) *Error { return newErr(KindPrecondition, code, msg) }
func TooLarge(code, msg string) *Error     { return newErr(KindTooLarge, code, msg) }
func TooMany(code, msg string) *Error      { return newErr(KindTooMany, code, msg) }
func Unavailable(code, msg string) *Error  { return newErr(KindUnavailable, code, msg) }

// Internal wraps an unexpected failure; cause is logged, never shown.
func Internal(cause error) *Error {
	return &Error{Kind: KindInternal, Code: "internal", Message: "internal error", Err: cause}
}

// Field builds a FieldError.
func Field(field, code, msg string) FieldError {
	return FieldError{Field: field, Code: code, Message: msg}
}

// FieldErrors collects field errors during validation.
type FieldErrors []FieldError

func (fe *FieldErrors) Add(field, code, msg string) {
	*fe = append(*fe, FieldError{Field: field, Code: code, Message: msg})
}

// Err returns an Invalid (or Unprocessable, per kind) error when any field
// error was collected, nil otherwise.
func (fe FieldErrors) Err(kind Kind, code, msg string) error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Kind: kind, Code: code, Message: msg, Fields: fe}
}
