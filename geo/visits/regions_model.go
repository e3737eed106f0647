package visits

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/deps"
	"github.com/daftar-ir/daftar/internal/snapshots"
)

// RegionModels serves the cities' and provinces' crowding figures from
// stored models: computing them reads every office's rollups over the
// range (Regions), which grows with the network and the range, so they are
// computed in the background when the rollups or the register change
// (Refresh, the job models-refresh) and requests read the stored figures,
// filtered by level. A range nobody asked for before is computed on its
// first request, once however many ask.
type RegionModels struct {
	c     *Crowding
	clock daftar.Clock
	model *snapshots.Model[[]storedRegion]
}

// storedRegion is one region of a stored model.
type storedRegion struct {
	Code            string  `json:"code"`
	Offices         int     `json:"offices"`
	UnstableOffices int     `json:"unstable_offices"`
	Figures         Figures `json:"figures"`
}

// RegionsDefaultDays is the length of the default range: the 30 days
// ending today.
const RegionsDefaultDays = 30

// NewRegionModels returns the stored regional figures.
func NewRegionModels(c *Crowding, store *snapshots.Store, clock daftar.Clock) (*RegionModels, error) {
	if err := deps.Check("region models", "crowding", c, "snapshot store", store, "clock", clock); err != nil {
		return nil, err
	}
	m := &RegionModels{c: c, clock: clock}
	var err error
	m.model, err = snapshots.NewModel(store, snapshots.Spec[[]storedRegion]{
		Kind: "crowding_regions",
		Version: func(ctx context.Context, key string) (string, error) {
			r, err := parseRangeKey(key)
			if err != nil {
				return "", err
			}
			return m.version(ctx, r)
		},
		Compute: func(ctx context.Context, key string) ([]storedRegion, error) {
			r, err := parseRangeKey(key)
			if err != nil {
				return nil, err
			}
			return m.compute(ctx, r)
		},
	})
	return m, err
}

func rangeKey(r CrowdingRange) string { return fmt.Sprintf("%d-%d", r.From, r.To) }

func parseRangeKey(key string) (CrowdingRange, error) {
	a, b, ok := strings.Cut(key, "-")
	from, err1 := strconv.ParseInt(a, 10, 64)
	to, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || to <= from {
		return CrowdingRange{}, fmt.Errorf("crowding regions: bad key %q", key)
	}
	return CrowdingRange{From: from, To: to}, nil
}

// version fingerprints what the figures of r are computed from: the
// rollups of the range, the register (where each office is) and the
// target wait.
func (m *RegionModels) version(ctx context.Context, r CrowdingRange) (string, error) {
	rv, err := m.c.RollupsVersion(ctx, r)
	if err != nil {
		return "", err
	}
	ov, err := m.c.offices.Fingerprint(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("v1;%s;%s;target=%d", rv, ov, m.c.target()), nil
}

func (m *RegionModels) compute(ctx context.Context, r CrowdingRange) ([]storedRegion, error) {
	list, err := m.c.Regions(ctx, LevelAll, r)
	if err != nil {
		return nil, err
	}
	out := make([]storedRegion, len(list))
	for i, rc := range list {
		out[i] = storedRegion{Code: rc.Region.Code, Offices: rc.Offices, UnstableOffices: rc.UnstableOffices, Figures: rc.Figures}
	}
	return out, nil
}

// Regions returns the stored figures of the cities and/or provinces over
// the range, in the order of Crowding.Regions, and when they were
// computed.
func (m *RegionModels) Regions(ctx context.Context, level string, r CrowdingRange) ([]RegionCrowding, snapshots.Stamp, error) {
	if level != geo.LevelCity && level != geo.LevelProvince && level != LevelAll {
		return nil, snapshots.Stamp{}, daftar.Invalid("invalid_query", "the query is not valid",
			daftar.Field("level", "invalid", "must be city, province or all"))
	}
	stored, st, err := m.model.Get(ctx, rangeKey(r))
	if err != nil {
		return nil, st, err
	}
	out := make([]RegionCrowding, 0, len(stored))
	for _, s := range stored {
		reg, ok := m.c.gaz.Get(s.Code)
		if !ok || (level != LevelAll && reg.Level != level) {
			continue
		}
		out = append(out, RegionCrowding{Region: reg, Level: reg.Level, Population: reg.Population, Offices: s.Offices,
			UnstableOffices: s.UnstableOffices, Figures: s.Figures})
	}
	return out, st, nil
}

// Refresh recomputes the stored figures whose inputs changed: those of the
// default range (the 30 days ending today), and of every other range read
// within idle; the others are dropped.
func (m *RegionModels) Refresh(ctx context.Context, idle time.Duration) (snapshots.RefreshReport, error) {
	def := RecentRange(m.clock.Now().Unix(), RegionsDefaultDays)
	return m.model.Refresh(ctx, []string{rangeKey(def)}, idle)
}
