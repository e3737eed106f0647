package accounts

import (
	"sync"
	"time"
)

// sessionCache keeps recently verified sessions in memory for a few seconds,
// so that a burst of requests with one token costs one database read, not
// one each. Logout, disabling, and role, office or password changes evict
// the user's entries at once in this process; another replica notices within
// the cache's lifetime (Config.CacheTTL, default 5s; 0 turns it off).
type sessionCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[string]cachedSession // by token hash
}

type cachedSession struct {
	row      sessionRow
	loadedAt time.Time
}

func newSessionCache(ttl time.Duration, max int) *sessionCache {
	return &sessionCache{ttl: ttl, max: max, entries: map[string]cachedSession{}}
}

func (c *sessionCache) get(hash string, now time.Time) (sessionRow, bool) {
	if c.ttl <= 0 {
		return sessionRow{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || now.Sub(e.loadedAt) >= c.ttl || now.Before(e.loadedAt) {
		return sessionRow{}, false
	}
	return e.row, true
}

func (c *sessionCache) put(hash string, row sessionRow, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		// Crude but bounded: start over rather than track recency.
		c.entries = map[string]cachedSession{}
	}
	c.entries[hash] = cachedSession{row: row, loadedAt: now}
}

func (c *sessionCache) evict(hash string) {
	c.mu.Lock()
	delete(c.entries, hash)
	c.mu.Unlock()
}

func (c *sessionCache) evictUser(userID int64) {
	c.mu.Lock()
	for k, e := range c.entries {
		if e.row.UserID == userID {
			delete(c.entries, k)
		}
	}
	c.mu.Unlock()
}
