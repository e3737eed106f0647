package surveys

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
	"gorm.io/gorm"
)

// Config tunes invitations, figures and stuffing signals.
type Config struct {
	// PublicURL is the address citizens reach Daftar on, which survey links
	// are built on (e.g. https://daftar.example.ir); empty makes them
	// relative (/s/<token>).
	PublicURL string
	// InvitationTTL is how long a survey link stays open (default 7 days).
	InvitationTTL time.Duration
	// MinResponses below which figures are withheld from owners and the
	// public, comments included (default 10).
	MinResponses int
	// PriorWeight is the weight, in responses, of the national mean in the
	// adjusted satisfaction (default 10).
	PriorWeight float64
	// TooFast flags an answer arriving this soon after the visit ended
	// (default 30s): the citizen is still at the counter.
	TooFast time.Duration
	// BurstLimit flags the answers for one office from one client address
	// beyond this many within about an hour (default 6).
	BurstLimit int
	// PatternMin and PatternFactor flag one answer pattern piling up for an
	// office within a day: at least PatternMin times and PatternFactor times
	// what the pattern's national share predicts (defaults 8 and 3).
	PatternMin    int
	PatternFactor float64
}

func (c Config) withDefaults() Config {
	if c.InvitationTTL == 0 {
		c.InvitationTTL = 7 * 24 * time.Hour
	}
	if c.MinResponses == 0 {
		c.MinResponses = 10
	}
	if c.PriorWeight == 0 {
		c.PriorWeight = 10
	}
	if c.TooFast == 0 {
		c.TooFast = 30 * time.Second
	}
	if c.BurstLimit == 0 {
		c.BurstLimit = 6
	}
	if c.PatternMin == 0 {
		c.PatternMin = 8
	}
	if c.PatternFactor == 0 {
		c.PatternFactor = 3
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c
}

// Service runs the surveys.
type Service struct {
	db      *db.DB
	clock   daftar.Clock
	audit   *audit.Log
	offices *offices.Register
	log     *slog.Logger
	cfg     Config
	// clientKey keys the hash of client addresses.
	clientKey []byte

	mu        sync.Mutex
	templates map[int]Template
	national  map[Range]nationalEntry
}

// New returns the surveys service. clientKey keys the daily hash of client
// addresses (derive it from the configured secret).
func New(d *db.DB, clock daftar.Clock, a *audit.Log, register *offices.Register, log *slog.Logger, clientKey []byte, cfg Config) (*Service, error) {
	if err := deps.Check("surveys", "database", d, "clock", clock, "audit log", a, "office register", register, "client key", clientKey); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d, clock: clock, audit: a, offices: register, log: log, cfg: cfg.withDefaults(), clientKey: clientKey,
		templates: map[int]Template{}, national: map[Range]nationalEntry{}}, nil
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// EnsureDefaultTemplate publishes version 1 when no template exists.
func (s *Service) EnsureDefaultTemplate(ctx context.Context) error {
	t := DefaultTemplate()
	body, _ := json.Marshal(t)
	return s.db.WithContext(ctx).Exec(`INSERT INTO survey_templates (version, body, published_at, published_by)
		VALUES (1, ?, ?, 'system') ON CONFLICT (version) DO NOTHING`, string(body), s.clock.Now()).Error
}

// Template returns one version.
func (s *Service) Template(ctx context.Context, version int) (Template, error) {
	s.mu.Lock()
	t, ok := s.templates[version]
	s.mu.Unlock()
	if ok {
		return t, nil
	}
	var body []string
	if err := s.db.WithContext(ctx).Raw("SELECT body FROM survey_templates WHERE version = ?", version).Scan(&body).Error; err != nil {
		return t, err
	}
	if len(body) == 0 {
		return t, daftar.NotFound("template_not_found", "no such survey template version")
	}
	if err := json.Unmarshal([]byte(body[0]), &t); err != nil {
		return t, fmt.Errorf("template %d: %w", version, err)
	}
	s.mu.Lock()
	s.templates[version] = t // published versions never change
	s.mu.Unlock()
	return t, nil
}

// Current returns the newest published template.
func (s *Service) Current(ctx context.Context) (Template, error) {
	v, err := s.currentVersion(s.db.WithContext(ctx))
	if err != nil {
		return Template{}, err
	}
	return s.Template(ctx, v)
}

func (s *Service) currentVersion(tx *gorm.DB) (int, error) {
	var v []int
	if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM survey_templates").Scan(&v).Error; err != nil {
		return 0, err
	}
	if len(v) == 0 || v[0] == 0 {
		return 0, daftar.Unavailable("no_template", "no survey template is published")
	}
	return v[0], nil
}

// Templates lists every version, newest first.
func (s *Service) Templates(ctx context.Context) ([]Template, error) {
	var rows []struct{ Body string }
	if err := s.db.WithContext(ctx).Raw("SELECT body FROM survey_templates ORDER BY version DESC").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Template, 0, len(rows))
	for _, r := range rows {
		var t Template
		if err := json.Unmarshal([]byte(r.Body), &t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Publish makes t the next version; new invitations use it, and every
// response keeps the version it answered.
func (s *Service) Publish(ctx context.Context, t Template) (Template, error) {
	if err := t.Validate(); err != nil {
		return t, err
	}
	actor, _ := daftar.ActorFrom(ctx)
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var v []int
		if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM survey_templates").Scan(&v).Error; err != nil {
			return err
		}
		t.Version = v[0] + 1
		body, _ := json.Marshal(t)
		if err := tx.Exec("INSERT INTO survey_templates (version, body, published_at, published_by) VALUES (?, ?, ?, ?)",
			t.Version, string(body), s.clock.Now(), actor.Username).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return daftar.Conflict("template_version_taken", "another version was published at the same time; try again")
			}
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "survey_template.publish", Entity: "survey_template", EntityID: t.Version, After: t})
	})
	return t, err
}

// linkOf is the survey link of a token.
func (s *Service) linkOf(token string) string { return s.cfg.PublicURL + "/s/" + token }

// newToken returns 160 random bits, URL-safe, and the hash that is stored.
func newToken() (string, string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, hashToken(tok), nil
}

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// dayOf is the Tehran calendar day of a Unix time, as YYYY-MM-DD.
func dayOf(unix int64) string {
	return daftar.TehranDate(time.Unix(unix, 0))
}

// Invite gives each served visit one single-use invitation and returns the
// survey link of each visit by id. A visit that came with a mobile number
// also gets the Persian invitation text queued in the SMS outbox. It runs in
// the visits batch's transaction (geo.SurveyInviter).
func (s *Service) Invite(ctx context.Context, t *db.Tx, officeID int64, visits []visits.Visit) (map[int64]string, error) {
	tx := t.Gorm()
	version, err := s.currentVersion(tx)
	if err != nil {
		return nil, err
	}
	labels, err := s.offices.Labels(ctx, t, []int64{officeID})
	if err != nil {
		return nil, err
	}
	office := labels[officeID].NameFa
	now := s.clock.Now()
	links := make(map[int64]string, len(visits))
	rows := make([]map[string]any, 0, len(visits))
	var sms []map[string]any
	for _, v := range visits {
		if v.ID == 0 {
			continue
		}
		tok, hash, err := newToken()
		if err != nil {
			return nil, err
		}
		finished := v.Finished
		if finished == 0 {
			finished = v.Arrived
		}
		rows = append(rows, map[string]any{"token_hash": hash, "visit_id": v.ID, "office_id": officeID, "service_code": v.Service,
			"visit_day": dayOf(v.Arrived), "visit_finished_at": finished, "template_version": version,
			"created_at": now, "expires_at": now.Add(s.cfg.InvitationTTL), "used": false})
		link := s.linkOf(tok)
		links[v.ID] = link
		if v.Mobile != "" {
			sms = append(sms, map[string]any{"mobile": v.Mobile, "body": invitationText(office, link), "created_at": now, "attempts": 0, "last_error": ""})
		}
	}
	if len(rows) > 0 {
		if err := tx.Table("survey_invitations").CreateInBatches(rows, 200).Error; err != nil {
			return nil, err
		}
		perDay := map[string]int{}
		for _, r := range rows {
			perDay[r["visit_day"].(string)]++
		}
		for day, n := range perDay {
			if err := tx.Exec(`INSERT INTO survey_invitation_days (office_id, visit_day, invitations) VALUES (?, ?, ?)
				ON CONFLICT (office_id, visit_day) DO UPDATE SET invitations = survey_invitation_days.invitations + excluded.invitations`,
				officeID, day, n).Error; err != nil {
				return nil, err
			}
		}
	}
	if len(sms) > 0 {
		if err := tx.Table("sms_outbox").CreateInBatches(sms, 200).Error; err != nil {
			return nil, err
		}
	}
	return links, nil
}

func invitationText(office, link string) string {
	return fmt.Sprintf("شهروند گرامی، از مراجعه شما به %s سپاسگزاریم. لطفاً با پاسخ به نظرسنجی کوتاه زیر به بهبود خدمات کمک کنید: %s", office, link)
}

// clientHash is a keyed hash of the client address and the day: enough to
// see bursts within a day, useless for following anyone across days.
func (s *Service) clientHash(ip string, now time.Time) string {
	m := hmac.New(sha256.New, s.clientKey)
	m.Write([]byte(ip + "|" + daftar.TehranDate(now)))
	return hex.EncodeToString(m.Sum(nil)[:12])
}

// errUnknownToken and friends are the answers to a link that cannot be used.
var (
	errUnknownToken = daftar.NotFound("survey_not_found", "this survey link is not valid")
	errUsedToken    = daftar.Gone("survey_answered", "this survey has already been answered")
	errExpiredToken = daftar.Gone("survey_expired", "this survey link has expired")
)

// Invitation is what the survey page needs to show a survey.
type Invitation struct {
	OfficeID        int64
	OfficeName      string
	ServiceCode     string
	VisitDay        string
	VisitFinishedAt int64
	TemplateVersion int
	ExpiresAt       time.Time
	Used            bool
}

// Open looks a token up for the survey page: 404 unknown, 410 answered or
// expired.
func (s *Service) Open(ctx context.Context, token string) (Invitation, Template, error) {
	if len(token) < 20 || len(token) > 64 {
		return Invitation{}, Template{}, errUnknownToken
	}
	var rows []Invitation
	err := s.db.WithContext(ctx).Raw(`SELECT office_id, service_code, visit_day, visit_finished_at, template_version, expires_at, used
		FROM survey_invitations WHERE token_hash = ?`, hashToken(token)).Scan(&rows).Error
	if err != nil {
		return Invitation{}, Template{}, err
	}
	if len(rows) == 0 {
		return Invitation{}, Template{}, errUnknownToken
	}
	inv := rows[0]
	labels, err := s.offices.Labels(ctx, nil, []int64{inv.OfficeID})
	if err != nil {
		return Invitation{}, Template{}, err
	}
	label, ok := labels[inv.OfficeID]
	if !ok {
		return Invitation{}, Template{}, errUnknownToken
	}
	inv.OfficeName = label.NameFa
	if inv.Used {
		return inv, Template{}, errUsedToken
	}
	if !s.clock.Now().Before(inv.ExpiresAt) {
		return inv, Template{}, errExpiredToken
	}
	t, err := s.Template(ctx, inv.TemplateVersion)
	return inv, t, err
}

// Submission is one answer to a survey.
type Submission struct {
	Token    string
	Answers  map[string]any
	ClientIP string
}

// Submitted says what happened to a submission.
type Submitted struct {
	ResponseID int64
	Flags      []string // stuffing signals raised (the answer is kept but left out of figures)
}

// Submit records the answer once. Invalid answers are refused naming the
// question, and leave the link usable; of many concurrent submissions of
// one link exactly one is counted, the others get 410.
func (s *Service) Submit(ctx context.Context, sub Submission) (Submitted, error) {
	opened, tmpl, err := s.Open(ctx, sub.Token)
	if err != nil {
		return Submitted{}, err
	}
	answers, err := tmpl.ParseAnswers(sub.Answers)
	if err != nil {
		return Submitted{}, err
	}
	now := s.clock.Now()
	var out Submitted
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		// The single-use guard: only one transaction can flip used.
		var inv []Invitation
		if err := tx.Raw(`UPDATE survey_invitations SET used = TRUE WHERE token_hash = ? AND used = FALSE AND expires_at > ?
			RETURNING office_id, service_code, visit_day, visit_finished_at, template_version, expires_at, used`,
			hashToken(sub.Token), now).Scan(&inv).Error; err != nil {
			return err
		}
		if len(inv) == 0 {
			if !now.Before(opened.ExpiresAt) {
				return errExpiredToken
			}
			return errUsedToken // another submission of this link won
		}
		r, err := s.insertResponse(tx, inv[0], answers, sub.ClientIP, now)
		if err != nil {
			return err
		}
		out.ResponseID = r.ID
		out.Flags, err = s.signals(tx, r, inv[0], now)
		return err
	})
	if err != nil {
		return Submitted{}, err
	}
	return out, nil
}

// Response is one stored response.
type Response struct {
	ID              int64
	OfficeID        int64
	ServiceCode     string
	VisitDay        string
	TemplateVersion int
	Overall         int
	Courtesy        int
	Waiting         int
	FeesClear       int
	ExtraFee        bool
	Recommend       int
	Comment         *string
	Answers         string
	Pattern         string
	ClientHash      *string
	ReceivedHour    int64
	Excluded        bool
}

// patternOf is the answer pattern compared by the identical-pattern signal:
// every scored answer and whether (and what) was commented.
func patternOf(a Answers) string {
	comment := "-"
	if c, ok := a[QComment].(string); ok && c != "" {
		sum := sha256.Sum256([]byte(daftar.FoldForMatch(c)))
		comment = hex.EncodeToString(sum[:4])
	}
	return fmt.Sprintf("%v|%v|%v|%v|%v|%v|%s", a[QOverall], a[QCourtesy], a[QWaiting], a[QFeesClear], a[QExtraFee], a[QRecommend], comment)
}

// responseOf is the stored form of answers already checked against their
// template (ParseAnswers), received at the given time.
func responseOf(officeID int64, service, day string, version int, a Answers, received time.Time) Response {
	body, _ := json.Marshal(a)
	r := Response{OfficeID: officeID, ServiceCode: service, VisitDay: day, TemplateVersion: version,
		Overall: a[QOverall].(int), Courtesy: a[QCourtesy].(int), Waiting: a[QWaiting].(int), FeesClear: a[QFeesClear].(int),
		ExtraFee: a[QExtraFee].(bool), Recommend: a[QRecommend].(int), Answers: string(body), Pattern: patternOf(a),
		ReceivedHour: received.Unix() / 3600 * 3600}
	if c, ok := a[QComment].(string); ok {
		r.Comment = &c
	}
	return r
}

func (s *Service) insertResponse(tx *gorm.DB, inv Invitation, a Answers, ip string, now time.Time) (Response, error) {
	r := responseOf(inv.OfficeID, inv.ServiceCode, inv.VisitDay, inv.TemplateVersion, a, now)
	if ip != "" {
		h := s.clientHash(ip, now)
		r.ClientHash = &h
	}
	err := tx.Raw(`INSERT INTO survey_responses (office_id, service_code, visit_day, template_version, overall, courtesy, waiting,
		fees_clear, extra_fee, recommend, comment, answers, pattern, client_hash, received_hour, excluded)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE) RETURNING id`,
		r.OfficeID, r.ServiceCode, r.VisitDay, r.TemplateVersion, r.Overall, r.Courtesy, r.Waiting, r.FeesClear, r.ExtraFee,
		r.Recommend, r.Comment, r.Answers, r.Pattern, r.ClientHash, r.ReceivedHour).Scan(&r.ID).Error
	if err == nil && r.ID == 0 {
		err = errors.New("surveys: response not stored")
	}
	return r, err
}
