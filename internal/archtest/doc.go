// Package archtest holds the tests that keep Daftar's structure what
// docs/CONTRIBUTING.md says it is. They parse every non-test Go file of the
// module (go/parser, no build) and fail when
//
//   - SQL naming a table (FROM, JOIN, INTO, UPDATE, TABLE, ON, gorm's
//     .Table, a bulk insert's table, a pgx COPY identifier, a TableName
//     method, gorm calls on another package's row type) appears outside
//     the table's owner in internal/owners, or a migrated table has no
//     owner;
//   - an exported function, method, field or type outside internal/db
//     mentions *gorm.DB (work that spans packages shares a db.Tx);
//   - a package under internal/ imports a domain package.
//
// They run with go test ./... (and so scripts/test). The package has no
// code of its own.
package archtest
