package geo

import (
	"context"
	"fmt"

	"github.com/daftar-ir/daftar/internal/db"
)

// Service channels.
const (
	ChannelOfficeOnly          = "office_only"
	ChannelOfficeOrSelfService = "office_or_self_service"
)

// Service is one citizen service of the catalogue.
type Service struct {
	Code            string `gorm:"column:code;primaryKey"`
	NameFa          string `gorm:"column:name_fa"`
	NameEn          string `gorm:"column:name_en"`
	Channel         string `gorm:"column:channel"`
	HandlingMinutes int    `gorm:"column:handling_minutes"`
	FeeRials        int64  `gorm:"column:fee_rials"`
	DescriptionEn   string `gorm:"column:description_en"`
	SortOrder       int    `gorm:"column:sort_order"`
}

func (Service) TableName() string { return "services" }

// Catalogue is the read-only service catalogue, held in memory.
type Catalogue struct {
	list   []Service
	byCode map[string]*Service
}

// LoadCatalogue reads the catalogue from the database.
func LoadCatalogue(ctx context.Context, d *db.DB) (*Catalogue, error) {
	var list []Service
	if err := d.WithContext(ctx).Order("sort_order, code").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("geo: load services: %w", err)
	}
	c := &Catalogue{list: list, byCode: map[string]*Service{}}
	for i := range c.list {
		c.byCode[c.list[i].Code] = &c.list[i]
	}
	return c, nil
}

// All returns every service in catalogue order.
func (c *Catalogue) All() []Service { return c.list }

// Get returns one service.
func (c *Catalogue) Get(code string) (*Service, bool) {
	s, ok := c.byCode[code]
	return s, ok
}
