package complaints

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// citizen is the actor of a filing: nobody signs in to complain.
var citizen = daftar.Actor{Username: "citizen"}

// File records a complaint and answers with its tracking code and the
// date by which it is to be decided. Every field is checked and all that
// are wrong are named at once (422, code "invalid_complaint"): an unknown
// office or category, an amount that is not a positive whole number of
// rials (Persian and Arabic digits and thousands separators are fine), a
// description shorter than DescriptionMin or longer than DescriptionMax
// characters, a mobile number that is not an Iranian mobile, a survey token
// that was never issued or that belongs to another office. The office's
// owner gets a notice in the SMS outbox in the same transaction.
func (s *Service) File(ctx context.Context, f Filing) (Receipt, error) {
	n, err := s.prepare(ctx, f)
	if err != nil {
		return Receipt{}, err
	}
	mobile := n.mobile
	ctx = daftar.WithActor(ctx, citizen)
	var id int64
	for attempt := 0; id == 0; attempt++ {
		if attempt == 5 {
			return Receipt{}, errors.New("complaints: no free tracking code after 5 draws")
		}
		if n.row.code, err = newTrackingCode(); err != nil {
			return Receipt{}, err
		}
		n.row.mobileEnc = nil
		if mobile != "" {
			if n.row.mobileEnc, err = s.sealMobile(mobile, n.row.code); err != nil {
				return Receipt{}, err
			}
		}
		err = s.db.InTx(ctx, func(tx *db.Tx) error {
			if id, err = insertComplaint(ctx, tx, n.row); err != nil || id == 0 {
				return err
			}
			if err := insertEvent(ctx, tx, id, Event{At: n.row.filedAt, Action: fileStep, From: StateNew, To: StateNew,
				ActorName: citizen.Username}); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, tx, audit.Change{Action: "complaint.file", Entity: "complaint", EntityID: id,
				After: map[string]any{"office_id": n.row.office.ID, "category": n.row.category, "state": StateNew,
					"due_at": n.row.dueAt, "from_survey": n.row.fromSurvey}}); err != nil {
				return err
			}
			return s.noticeOwner(ctx, tx, n.row.office, id, n.row.category, n.row.dueAt)
		})
		if err != nil {
			return Receipt{}, err
		}
	}
	return Receipt{ID: id, TrackingCode: n.row.code, State: StateNew, FiledAt: n.row.filedAt, DueAt: n.row.dueAt,
		OfficeName: n.row.office.Name}, nil
}

// prepared is a checked filing.
type prepared struct {
	row    newRow
	mobile string
}

// prepare checks every field of a filing and resolves the office, the
// service's fee and the survey visit.
func (s *Service) prepare(ctx context.Context, f Filing) (prepared, error) {
	var fe daftar.FieldErrors
	var p prepared
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	p.row.filedAt = now

	var visit *SurveyVisit
	if tok := strings.TrimSpace(f.SurveyToken); tok != "" {
		v, err := s.surveys.SurveyVisit(ctx, tok)
		switch {
		case daftar.IsKind(err, daftar.KindNotFound):
			fe.Add("survey_token", "unknown_survey_token", "this survey link is not known")
		case err != nil:
			return p, err
		default:
			visit = &v
		}
	}

	office, officeField, err := s.resolveOffice(ctx, f, visit)
	if err != nil {
		return p, err
	}
	if officeField != nil {
		fe = append(fe, *officeField)
	}
	p.row.office = office
	if visit != nil {
		p.row.fromSurvey, p.row.visitDay = true, visit.Day
	}

	cat := Category(strings.TrimSpace(f.Category))
	rule, ok := RuleOf(cat)
	if !ok {
		if cat == "" {
			fe.Add("category", "required", "choose what the complaint is about")
		} else {
			fe.Add("category", "unknown_category", "unknown category "+strconv.Quote(string(cat))+"; one of "+categoryList())
		}
	}
	p.row.category = cat

	service := strings.TrimSpace(f.Service)
	if service == "" && visit != nil {
		service = visit.Service
	}
	if service != "" {
		if svc, ok := s.catalogue.Get(service); ok {
			p.row.service = svc.Code
			fee := svc.FeeRials
			p.row.fee = &fee
		} else {
			fe.Add("service", "unknown_service", "unknown service "+strconv.Quote(service))
		}
	}

	if a := strings.TrimSpace(f.AmountPaid); a != "" {
		v, err := daftar.ParseInt(a)
		switch {
		case err != nil:
			fe.Add("amount_paid_rials", "invalid_amount", "the amount paid must be a whole number of rials")
		case v <= 0:
			fe.Add("amount_paid_rials", "invalid_amount", "the amount paid must be more than zero rials")
		case v > s.cfg.AmountMaxRials:
			fe.Add("amount_paid_rials", "invalid_amount", fmt.Sprintf("the amount paid must be at most %d rials", s.cfg.AmountMaxRials))
		default:
			p.row.amount = &v
		}
	} else if ok && rule.NeedsAmount {
		fe.Add("amount_paid_rials", "required", "say how much you paid, in rials")
	}

	desc := cleanText(f.Description)
	switch n := runeLen(desc); {
	case n == 0:
		fe.Add("description", "required", "describe what happened")
	case n < s.cfg.DescriptionMin:
		fe.Add("description", "description_too_short", fmt.Sprintf("the description must have at least %d characters", s.cfg.DescriptionMin))
	case n > s.cfg.DescriptionMax:
		fe.Add("description", "description_too_long", fmt.Sprintf("the description must have at most %d characters; it has %d", s.cfg.DescriptionMax, n))
	}
	p.row.description = MaskIdentifiers(desc)

	if m := strings.TrimSpace(f.Mobile); m != "" {
		if norm, ok := NormalizeMobile(m); ok {
			p.mobile = norm
		} else {
			fe.Add("mobile", "invalid_mobile", "the mobile number must be an Iranian mobile number, like 09121234567")
		}
	}

	if err := fe.Err(daftar.KindUnprocessable, "invalid_complaint", "the complaint cannot be filed as it is"); err != nil {
		return p, err
	}
	due, err := s.cal.Deadline(now, rule.Answer)
	if err != nil {
		return p, err
	}
	p.row.dueAt = due
	return p, nil
}

// resolveOffice finds the office by id, code or survey visit. A field
// error (not an error) when the office is unknown or they disagree.
func (s *Service) resolveOffice(ctx context.Context, f Filing, visit *SurveyVisit) (Office, *daftar.FieldError, error) {
	code := strings.TrimSpace(daftar.NormalizeDigits(f.OfficeCode))
	var (
		off   Office
		err   error
		field = "office_id"
	)
	switch {
	case f.OfficeID != 0:
		off, err = s.offices.OfficeByID(ctx, f.OfficeID)
	case code != "":
		field = "code"
		off, err = s.offices.OfficeByCode(ctx, code)
	case visit != nil:
		off, err = s.offices.OfficeByID(ctx, visit.OfficeID)
	default:
		fe := daftar.Field("office_id", "required", "say which office the complaint is about (office_id or code)")
		return Office{}, &fe, nil
	}
	if daftar.IsKind(err, daftar.KindNotFound) {
		fe := daftar.Field(field, "unknown_office", "no office has this "+strings.Replace(field, "_", " ", 1))
		return Office{}, &fe, nil
	}
	if err != nil {
		return Office{}, nil, err
	}
	if f.OfficeID != 0 && code != "" && !strings.EqualFold(code, off.Code) {
		fe := daftar.Field("code", "office_mismatch", "office_id and code name different offices")
		return Office{}, &fe, nil
	}
	if visit != nil && visit.OfficeID != off.ID {
		fe := daftar.Field(field, "office_mismatch", "the survey link is for another office")
		return Office{}, &fe, nil
	}
	return off, nil, nil
}

func categoryList() string {
	names := make([]string, len(categoryRules))
	for i, r := range categoryRules {
		names[i] = string(r.Category)
	}
	return strings.Join(names, ", ")
}

// noticeOwner queues the text message that tells the office's owner a
// complaint arrived: its number (not the citizen's tracking code), what
// it is about and when the answer is due. An office without a mobile
// number for notices gets none.
func (s *Service) noticeOwner(ctx context.Context, tx *db.Tx, off Office, id int64, cat Category, due time.Time) error {
	mobile, ok := NormalizeMobile(off.NoticeMobile)
	if !ok || !off.Active {
		return nil
	}
	rule, _ := RuleOf(cat)
	body := fmt.Sprintf("دفتر %s: شکایت شماره %s با موضوع «%s» درباره دفتر شما ثبت شد. لطفاً تا %s در داشبورد پاسخ دهید.",
		off.Name, daftar.PersianDigits(strconv.FormatInt(id, 10)), rule.NameFa, daftar.ToJalali(due).Persian())
	return s.outbox.QueueSMS(ctx, tx, mobile, body)
}
