package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/gin-gonic/gin"
)

// What an owner may change on the dashboard: the phone and the opening
// hours, through the same register call as PATCH /offices/{id}/contact
// (If-Match: the form carries the version it was read at, so a change made
// meanwhile by someone else is refused, not overwritten). Everything else
// says whom to ask.

var weekKeys = []string{"sat", "sun", "mon", "tue", "wed", "thu", "fri"}

type contactView struct {
	Version string
	Phone   string
	Days    []contactDay
	Error   string
	Errors  map[string]string // by field: phone, or a day key
	Others  []string          // the fields the judiciary changes
}

type contactDay struct {
	Key, Label, Value, Error string
}

// contactForm is a change as typed, shown again when it was refused.
type contactForm struct {
	Phone   string
	Hours   map[string]string // day key → spans as typed
	Version string
	Error   string
	Fields  map[string]string
}

func (s *Server) contactSection(k kit, o offices.Office, form *contactForm) contactView {
	v := contactView{Version: strconv.FormatInt(o.Version, 10), Phone: k.Digits(o.Phone), Errors: map[string]string{}}
	for _, f := range []string{"name", "address", "location", "counters", "services", "status"} {
		v.Others = append(v.Others, k.t("field_"+f))
	}
	for i, key := range weekKeys {
		var spans []string
		for _, sp := range o.Hours[i] {
			spans = append(spans, k.Clock(sp.Open)+"-"+k.Clock(sp.Close))
		}
		v.Days = append(v.Days, contactDay{Key: key, Label: k.t(key), Value: strings.Join(spans, k.t("sep"))})
	}
	if form == nil {
		return v
	}
	v.Error = form.Error
	if form.Hours == nil { // refused as stale: the stored values, to change again
		return v
	}
	v.Phone, v.Version, v.Errors = form.Phone, form.Version, form.Fields
	for i := range v.Days {
		v.Days[i].Value = form.Hours[v.Days[i].Key]
		v.Days[i].Error = form.Fields[v.Days[i].Key]
	}
	return v
}

// updateContactPage is POST /dashboard/contact.
func (s *Server) updateContactPage(c *gin.Context) (any, error) {
	id, err := ownerOffice(c)
	if err != nil {
		return nil, err
	}
	k := s.kitOf(c)
	form := &contactForm{Phone: strings.TrimSpace(c.PostForm("phone")), Hours: map[string]string{}, Version: c.PostForm("version"), Fields: map[string]string{}}
	in := offices.Contact{Phone: &form.Phone, OpeningHours: map[string][]string{}}
	for _, key := range weekKeys {
		raw := c.PostForm("hours_" + key)
		form.Hours[key] = raw
		if spans := splitSpans(raw); len(spans) > 0 {
			in.OpeningHours[key] = spans
		}
	}
	version, verr := daftar.ParseInt(form.Version)
	if verr != nil || version <= 0 {
		return s.dashboardPage(c, http.StatusBadRequest, id, "", &ownerForm{Contact: &contactForm{Error: k.t("contact_reload")}})
	}
	_, err = s.Offices.UpdateContact(c.Request.Context(), id, in, version)
	switch {
	case err == nil:
		return redirect(k.back("contact", "contact")), nil
	case daftar.IsKind(err, daftar.KindConflict):
		// Someone changed the office meanwhile: show what is stored now,
		// for the owner to make their change again over it.
		return s.dashboardPage(c, http.StatusConflict, id, "", &ownerForm{Contact: &contactForm{Error: k.t("contact_stale")}})
	case daftar.IsKind(err, daftar.KindUnprocessable):
		de, _ := daftar.AsError(err)
		form.Error = k.t("contact_fix")
		for _, f := range de.Fields {
			key := f.Field
			if day, ok := strings.CutPrefix(f.Field, "opening_hours."); ok {
				key, _, _ = strings.Cut(day, "[")
			}
			msg := k.t("contact_err_" + f.Code)
			if msg == "contact_err_"+f.Code {
				msg = k.t("contact_err_invalid")
			}
			form.Fields[key] = msg
		}
		return s.dashboardPage(c, http.StatusUnprocessableEntity, id, "", &ownerForm{Contact: form})
	default:
		return nil, err
	}
}

// splitSpans reads a day's spans as typed: "07:30-13:30، 15:00-18:00"
// (Persian or Latin commas, semicolons or new lines between them).
func splitSpans(raw string) []string {
	f := func(r rune) bool { return r == ',' || r == '،' || r == ';' || r == '؛' || r == '\n' || r == '\r' }
	var out []string
	for _, p := range strings.FieldsFunc(raw, f) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
