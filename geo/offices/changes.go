package offices

import "sync"

// Changes announces every office created or changed, after the change is
// committed, to whoever listens (the finder's spatial index). It is made
// first and handed both to the register, which announces, and to the
// listeners' constructors, which listen: neither needs the other to exist.
type Changes struct {
	mu        sync.RWMutex
	listeners []func(Office)
}

// NewChanges returns a hub with no listeners.
func NewChanges() *Changes { return &Changes{} }

// Listen registers fn to be told of every change; listeners' constructors
// call it.
func (c *Changes) Listen(fn func(Office)) {
	c.mu.Lock()
	c.listeners = append(c.listeners, fn)
	c.mu.Unlock()
}

func (c *Changes) publish(off Office) {
	c.mu.RLock()
	ls := append([]func(Office){}, c.listeners...)
	c.mu.RUnlock()
	for _, fn := range ls {
		fn(off)
	}
}
