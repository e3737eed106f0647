package db

import (
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// TakeByID reads the row of dest's table whose id is id into dest, inside
// tx. With lock it also locks the row for update on PostgreSQL (SQLite has
// a single writer), for the read-check-write steps of a versioned update.
// No such row returns notFound.
func TakeByID(tx *gorm.DB, dest any, id int64, lock bool, notFound error) error {
	q := tx
	if lock && tx.Dialector != nil && tx.Dialector.Name() == string(Postgres) {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = ?", id).Take(dest).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return notFound
		}
		return err
	}
	return nil
}
