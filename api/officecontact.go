package api

import (
	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/gin-gonic/gin"
)

// contactRequest is what an office's owner may change themselves; every
// field optional.
type contactRequest struct {
	Phone        opt[string]              `json:"phone"`
	OpeningHours opt[map[string][]string] `json:"opening_hours" doc:"the whole week: {\"sat\": [\"08:00-13:00\", \"16:00-19:00\"], ...}; a day left out is closed"`
	Version      opt[int64]               `json:"version" doc:"the version read (or send If-Match)"`
}

// updateContact is PATCH /api/v1/offices/{id}/contact: the owner's own
// change of phone and opening hours, with PATCH's If-Match semantics.
func (s *Server) updateContact(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var req contactRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	var fe daftar.FieldErrors
	if req.Phone.Null {
		fe.Add("phone", "null", "may not be null; send \"\" to clear it")
	}
	if req.OpeningHours.Null {
		fe.Add("opening_hours", "null", "may not be null")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_contact", "the change is not valid"); err != nil {
		return nil, err
	}
	version, err := versionFrom(c, req.Version.ptr(), func() (int64, error) {
		off, err := s.Offices.Get(c.Request.Context(), id)
		return off.Version, err
	})
	if err != nil {
		return nil, err
	}
	in := offices.Contact{Phone: req.Phone.ptr()}
	if req.OpeningHours.Set {
		in.OpeningHours = req.OpeningHours.Value
		if in.OpeningHours == nil {
			in.OpeningHours = map[string][]string{}
		}
	}
	off, err := s.Offices.UpdateContact(c.Request.Context(), id, in, version)
	if err != nil {
		return nil, err
	}
	return tagged(officeOf(off), off.Version), nil
}
