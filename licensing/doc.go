// Package licensing is where new offices come from, from the exam to the
// licence. Its files follow the steps:
//
//   - exam intake: exams.go (the service and Import), exams_run.go (one file
//     read row by row and each row decided), exams_write.go (the import's
//     single transaction), exams_read.go (stored imports, their rejections
//     and refused rows); source.go, header.go and examrow.go read, map and
//     validate a file; natcode.go protects national codes; writesession.go
//     is the pinned-connection transaction that COPY and the batched
//     inserts write through;
//   - candidates and their document review: candidates.go, with the stored
//     form in candidate_record.go;
//   - the demand model, how many offices each city lacks: demand*.go and
//     e2sfca.go (access by travel);
//   - licensing rounds: rounds.go (states and types), rounds_create.go (the
//     policy and the quotas, apportioned by apportion.go), rounds_override.go,
//     rounds_allocate.go (deferred acceptance itself is allocate.go),
//     rounds_close.go, rounds_read.go, rounds_store.go (the rows);
//   - licences, issued from a closed round and then activated, suspended,
//     revoked, renewed or expired: licences.go (types and reads),
//     licences_issue.go, licences_lifecycle.go, with the stored form in
//     licence_row.go; the siting rule they apply lives in geo/offices;
//     shared.go holds what rounds and licences share.
//
// It never imports excelize or gin: uploaded spreadsheets arrive as a
// RowSource (CSV here, XLSX from package reports through an XLSXOpener).
package licensing
