package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/gin-gonic/gin"
)

// flexString is a JSON string or number (ticket references and counters
// come as either from queue systems), kept as text.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return &json.UnmarshalTypeError{Value: "non-string", Type: reflect.TypeOf("")}
	}
	*f = flexString(n.String())
	return nil
}

func (flexString) OpenAPISchema() map[string]any {
	return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
}

// visitItemRequest is one visit of a batch.
type visitItemRequest struct {
	Ticket     *flexString `json:"ticket" doc:"the office's own ticket reference, unique per office (string or number, at most 64 characters)"`
	Service    *string     `json:"service" doc:"service code of the catalogue, offered by the office"`
	ArrivedAt  *string     `json:"arrived_at" doc:"RFC 3339 (2026-11-22T09:30:00+03:30), or 2026-11-22 09:30 read as Tehran time"`
	CalledAt   *string     `json:"called_at" doc:"when the citizen was called to a counter; required for served and referred"`
	FinishedAt *string     `json:"finished_at" doc:"when service ended (or the citizen left); required for served and referred"`
	Outcome    *string     `json:"outcome" doc:"served, no_show, cancelled or referred"`
	Counter    *flexString `json:"counter" doc:"counter number, 1 to the office's counters; required for served and referred"`
	Channel    *string     `json:"channel" doc:"walk_in (default) or appointment"`
	Mobile     *string     `json:"mobile" doc:"optional Iranian mobile (09121234567), kept only to send the survey invitation"`
}

// visitsRequest is a batch; visitsDoc documents it.
type visitsRequest struct {
	Visits []json.RawMessage `json:"visits"`
}

type visitsDoc struct {
	Visits []visitItemRequest `json:"visits" doc:"1 to 1000 visits"`
}

type visitResult struct {
	Index     int                 `json:"index" doc:"position in the batch, from 0"`
	Ticket    string              `json:"ticket"`
	Status    string              `json:"status" doc:"accepted, duplicate or refused"`
	Reason    *string             `json:"reason" doc:"why a visit was refused or is a duplicate"`
	Errors    []daftar.FieldError `json:"errors,omitempty" doc:"the fields of a refused visit, each with a code"`
	SurveyURL *string             `json:"survey_url" doc:"the survey link for the citizen of a served visit (once surveys are on)"`
	VisitID   *int64              `json:"visit_id,omitempty"`
}

type visitsResponse struct {
	Accepted   int           `json:"accepted"`
	Duplicates int           `json:"duplicates"`
	Refused    int           `json:"refused"`
	Results    []visitResult `json:"results"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// decodeVisit reads one item strictly; problems become field errors of
// that item (the rest of the batch goes on).
func decodeVisit(raw json.RawMessage) (visits.Input, daftar.FieldErrors) {
	var it visitItemRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(&it)
	var fe daftar.FieldErrors
	if err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ) && typ.Field != "":
			fe.Add(typ.Field, "wrong_type", fmt.Sprintf("must be %s", jsonTypeName(typ.Type.String())))
		case errors.As(err, &typ):
			fe.Add("visit", "wrong_type", "must be a JSON object")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			fe.Add(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown", "is not a field of a visit")
		case errors.Is(err, io.EOF):
			fe.Add("visit", "required", "must be a JSON object")
		default:
			fe.Add("visit", "malformed", "is not valid JSON")
		}
		// Keep what can be read, to name the ticket in the answer.
		var loose map[string]any
		if json.Unmarshal(raw, &loose) == nil {
			if t, ok := loose["ticket"].(string); ok {
				return visits.Input{Ticket: t}, fe
			}
		}
		return visits.Input{}, fe
	}
	in := visits.Input{Service: str(it.Service), ArrivedAt: str(it.ArrivedAt), CalledAt: str(it.CalledAt),
		FinishedAt: str(it.FinishedAt), Outcome: str(it.Outcome), Channel: str(it.Channel), Mobile: str(it.Mobile)}
	if it.Ticket != nil {
		in.Ticket = string(*it.Ticket)
	}
	if it.Counter != nil {
		in.Counter = string(*it.Counter)
	}
	return in, nil
}

func (s *Server) recordVisits(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var req visitsRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	if req.Visits == nil {
		return nil, daftar.Invalid("empty_batch", "the batch has no visits", daftar.Field("visits", "required", "must hold at least one visit"))
	}
	items := make([]visits.Input, len(req.Visits))
	for i, raw := range req.Visits {
		in, fe := decodeVisit(raw)
		in.Problems = fe
		items[i] = in
	}
	res, err := s.Visits.Record(c.Request.Context(), id, items)
	if err != nil {
		return nil, err
	}
	out := visitsResponse{Accepted: res.Accepted, Duplicates: res.Duplicates, Refused: res.Refused, Results: make([]visitResult, len(res.Items))}
	for i, it := range res.Items {
		r := visitResult{Index: it.Index, Ticket: it.Ticket, Status: it.Status, Errors: it.Errors, SurveyURL: it.SurveyURL}
		if it.Reason != "" {
			reason := it.Reason
			r.Reason = &reason
		}
		if it.VisitID != 0 {
			vid := it.VisitID
			r.VisitID = &vid
		}
		out.Results[i] = r
	}
	return out, nil
}
