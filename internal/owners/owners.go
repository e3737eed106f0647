// Package owners is the one place that says which package owns each table:
// only the owner's store has SQL on it (raw statements, or gorm on its
// rows); every other package calls the owner's exported methods. The
// architecture tests (internal/archtest) hold the code to it, and
// docs/CONTRIBUTING.md lists it.
package owners

// Tables maps every table of the migrations (and schema_migrations, which
// package migrate creates itself) to the import path, below the module,
// of the package that owns it.
func Tables() map[string]string {
	return map[string]string{
		// places and the service catalogue
		"regions":  "geo",
		"services": "geo",
		// the office register
		"offices":         "geo/offices",
		"office_services": "geo/offices",
		// visits and their rollups
		"visits":          "geo/visits",
		"crowding_days":   "geo/visits",
		"crowding_months": "geo/visits",
		// exam intake, candidates, rounds and licences
		"exam_imports":             "licensing",
		"exam_import_rejections":   "licensing",
		"exam_import_refused_rows": "licensing",
		"candidates":               "licensing",
		"licensing_rounds":         "licensing",
		"licensing_round_quotas":   "licensing",
		"licensing_allocations":    "licensing",
		"licence_counters":         "licensing",
		"licences":                 "licensing",
		"licence_events":           "licensing",
		// surveys and their SMS outbox
		"survey_templates":       "surveys",
		"survey_invitations":     "surveys",
		"survey_invitation_days": "surveys",
		"survey_responses":       "surveys",
		"survey_flags":           "surveys",
		"sms_outbox":             "surveys",
		// complaints as cases
		"complaints":       "surveys/complaints",
		"complaint_events": "surveys/complaints",
		// directives and runs
		"ranking_directives": "ranking",
		"ranking_runs":       "ranking",
		"ranking_results":    "ranking",
		// inspections, checklists, corrective actions and assignments
		"inspections":                "ranking/inspections",
		"inspection_checklists":      "ranking/inspections",
		"inspection_checklist_items": "ranking/inspections",
		"inspection_results":         "ranking/inspections",
		"inspection_assignments":     "ranking/inspections",
		"corrective_actions":         "ranking/inspections",
		"corrective_action_events":   "ranking/inspections",
		// plumbing
		"users":             "internal/accounts",
		"sessions":          "internal/accounts",
		"login_throttle":    "internal/accounts",
		"audit_events":      "internal/audit",
		"job_runs":          "internal/jobs",
		"schema_migrations": "internal/migrate",
	}
}
