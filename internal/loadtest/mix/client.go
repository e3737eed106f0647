package mix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// API is a signed-in client of one Daftar server.
type API struct {
	base    *url.URL
	client  *http.Client
	token   string
	Expires time.Time
}

// Login signs in with username and password (POST /api/v1/auth/login).
func Login(ctx context.Context, client *http.Client, baseURL, username, password string) (*API, error) {
	base, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("the server address %q must be an http:// or https:// URL", baseURL)
	}
	a := &API{base: base, client: client}
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	var out struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := a.do(ctx, http.MethodPost, "/api/v1/auth/login", nil, body, &out); err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", username, err)
	}
	if out.Token == "" {
		return nil, fmt.Errorf("sign in as %s: the answer has no token", username)
	}
	a.token, a.Expires = out.Token, out.ExpiresAt
	return a, nil
}

// URL is the absolute address of path with query q.
func (a *API) URL(path string, q url.Values) string {
	u := *a.base
	u.Path = strings.TrimRight(a.base.Path, "/") + path
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// NewRequest builds a signed-in request; body, when not nil, is JSON.
func (a *API) NewRequest(ctx context.Context, method, path string, q url.Values, body []byte) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.URL(path, q), r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	return req, nil
}

// do sends one request and decodes a 2xx JSON answer into out.
func (a *API) do(ctx context.Context, method, path string, q url.Values, body []byte, out any) error {
	req, err := a.NewRequest(ctx, method, path, q, body)
	if err != nil {
		return err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var p struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		}
		_ = json.Unmarshal(data, &p)
		msg := strings.TrimSpace(p.Title + ": " + p.Detail)
		if p.Title == "" && p.Detail == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, strings.Trim(msg, ": "))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the JSON expected: %w", method, path, err)
	}
	return nil
}

// page is the envelope of a paginated list.
type page[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
}

// list reads every page of a list (at most limit items; 0: all).
func list[T any](ctx context.Context, a *API, path string, q url.Values, size, limit int) ([]T, error) {
	var all []T
	for n := 1; ; n++ {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set("page", strconv.Itoa(n))
		qq.Set("page_size", strconv.Itoa(size))
		var p page[T]
		if err := a.do(ctx, http.MethodGet, path, qq, nil, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if limit > 0 && len(all) >= limit {
			return all[:limit], nil
		}
		if len(p.Items) == 0 || int64(len(all)) >= p.Total {
			return all, nil
		}
	}
}

// Office is what the mix needs of an office.
type Office struct {
	ID       int64    `json:"id"`
	Province string   `json:"province"`
	City     string   `json:"city"`
	Counters int      `json:"counters"`
	Services []string `json:"services"`
	Status   string   `json:"status"`
}

// City is a city of the gazetteer: where finder queries are placed.
type City struct {
	Code       string  `json:"code"`
	Population int64   `json:"population"`
	Latitude   float64 `json:"latitude"`
	Longitude  float64 `json:"longitude"`
	RadiusM    float64 `json:"radius_m"`
}

// World is what the mix learned of the server.
type World struct {
	Offices  []Office // active, with counters and services
	Cities   []City
	Services []string // catalogue codes offered by at least one office
}

// Discover reads the active offices (at most maxOffices; 0: all), the
// cities and the service catalogue.
func (a *API) Discover(ctx context.Context, maxOffices int) (World, error) {
	var w World
	offices, err := list[Office](ctx, a, "/api/v1/offices", url.Values{"status": {"active"}}, 200, maxOffices)
	if err != nil {
		return w, fmt.Errorf("list offices: %w", err)
	}
	offered := map[string]bool{}
	for _, o := range offices {
		if o.Counters > 0 && len(o.Services) > 0 {
			w.Offices = append(w.Offices, o)
			for _, s := range o.Services {
				offered[s] = true
			}
		}
	}
	if len(w.Offices) == 0 {
		return w, errors.New("the server has no active office with counters and services: seed it first (daftar demo)")
	}
	cities, err := list[City](ctx, a, "/api/v1/regions", url.Values{"level": {"city"}}, 500, 0)
	if err != nil {
		return w, fmt.Errorf("list cities: %w", err)
	}
	for _, c := range cities {
		if c.Latitude != 0 || c.Longitude != 0 {
			w.Cities = append(w.Cities, c)
		}
	}
	if len(w.Cities) == 0 {
		return w, errors.New("the gazetteer has no city with a centre")
	}
	services, err := list[struct {
		Code string `json:"code"`
	}](ctx, a, "/api/v1/services", nil, 100, 0)
	if err != nil {
		return w, fmt.Errorf("list services: %w", err)
	}
	for _, s := range services {
		if offered[s.Code] {
			w.Services = append(w.Services, s.Code)
		}
	}
	if len(w.Services) == 0 {
		return w, errors.New("no service of the catalogue is offered by an active office")
	}
	return w, nil
}
