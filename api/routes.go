package api

import (
	"net/http"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/surveys"
)

// route is one endpoint: path, who may call it, the handler, and what the
// OpenAPI document says of it.
type route struct {
	Method  string
	Path    string // gin syntax: /api/v1/offices/:id
	Access  access
	Handler any  // a handle (handle.go), or a gin.HandlerFunc that writes its own answer
	Upload  bool // takes a file: the larger body limit applies
	Page    bool // a dashboard page: HTML errors, and a sign-in redirect instead of 401
	Probe   bool // a health probe: never reads credentials, so a bad or stale token cannot fail it
	Doc     doc
}

// table lists every route of the server, in one place.
func (s *Server) table() []route {
	return []route{
		// Operations.
		{Method: http.MethodGet, Path: "/healthz", Access: anyone, Probe: true, Handler: s.healthz, Doc: doc{Summary: "The process is alive", Tag: "operations"}},
		{Method: http.MethodGet, Path: "/readyz", Access: anyone, Probe: true, Handler: s.readyz, Doc: doc{Summary: "The database answers (503 while it does not, or while a first start seeds the demo data)", Tag: "operations", Errors: []int{503}}},
		{Method: http.MethodGet, Path: "/metrics", Access: adminOnly, Handler: s.metricsHandler, Doc: doc{Summary: "Prometheus metrics", Tag: "operations"}},
		{Method: http.MethodGet, Path: "/openapi.json", Access: anyone, Handler: s.openAPIHandler, Doc: doc{Summary: "This document", Tag: "operations"}},

		// Auth and users.
		{Method: http.MethodPost, Path: "/api/v1/auth/login", Access: anyone, Handler: s.login,
			Doc: doc{Summary: "Sign in with username and password", Tag: "auth", Request: loginRequest{}, Response: loginResponse{}, Errors: []int{400, 401, 429}}},
		{Method: http.MethodPost, Path: "/api/v1/auth/logout", Access: signedIn, Handler: s.logout,
			Doc: doc{Summary: "End this session", Tag: "auth", Status: http.StatusNoContent}},
		{Method: http.MethodGet, Path: "/api/v1/auth/me", Access: signedIn, Handler: s.me,
			Doc: doc{Summary: "The signed-in user", Tag: "auth", Response: userResponse{}}},
		{Method: http.MethodPost, Path: "/api/v1/users", Access: adminOnly, Handler: s.createUser,
			Doc: doc{Summary: "Create an account", Tag: "users", Request: createUserRequest{}, Response: userResponse{}, Status: http.StatusCreated, Errors: []int{400, 409}}},
		{Method: http.MethodGet, Path: "/api/v1/users", Access: adminOnly, Handler: s.listUsers,
			Doc: doc{Summary: "List accounts", Tag: "users", Response: ListResponse[userResponse]{}, Query: usersQuery}},
		{Method: http.MethodPatch, Path: "/api/v1/users/:id", Access: adminOnly, Handler: s.updateUser,
			Doc: doc{Summary: "Change an account: name, role, office, disabled, password", Tag: "users", Request: updateUserRequest{}, Response: userResponse{}, Errors: []int{400, 404, 409}}},

		// Reference data.
		{Method: http.MethodGet, Path: "/api/v1/regions", Access: signedIn, Handler: s.listRegions,
			Doc: doc{Summary: "The gazetteer: provinces, cities and districts", Tag: "reference", Response: ListResponse[regionResponse]{}, Query: regionsQuery}},
		{Method: http.MethodGet, Path: "/api/v1/regions/:code", Access: signedIn, Handler: s.getRegion,
			Doc: doc{Summary: "One region with the regions under it", Tag: "reference", Response: regionDetailResponse{}, Errors: []int{404}}},
		{Method: http.MethodGet, Path: "/api/v1/services", Access: anyone, Handler: s.listServices,
			Doc: doc{Summary: "The service catalogue of the single window", Tag: "reference", Response: ListResponse[serviceResponse]{}, Query: pageQuery}},

		// Offices.
		{Method: http.MethodGet, Path: "/api/v1/offices", Access: signedIn, Handler: s.listOffices,
			Doc: doc{Summary: "List offices (owners see only theirs)", Tag: "offices", Response: ListResponse[officeResponse]{}, Query: officesQuery}},
		{Method: http.MethodPost, Path: "/api/v1/offices", Access: adminOnly, Handler: s.createOffice,
			Doc: doc{Summary: "Register an office", Tag: "offices", Request: officeRequest{}, Response: officeResponse{}, Status: http.StatusCreated, Errors: []int{400, 409, 422}}},
		{Method: http.MethodGet, Path: "/api/v1/offices/:id", Access: officeOwner, Handler: s.getOffice,
			Doc: doc{Summary: "One office; its version is the ETag", Tag: "offices", Response: officeResponse{}, Errors: []int{404}}},
		{Method: http.MethodPatch, Path: "/api/v1/offices/:id", Access: adminOnly, Handler: s.updateOffice,
			Doc: doc{Summary: "Change an office; If-Match with its version refuses a stale write (409)", Tag: "offices", Request: officeRequest{}, Response: officeResponse{}, Errors: []int{400, 404, 409, 422}, Headers: []param{ifMatchHeader}}},

		// Surveys.
		{Method: http.MethodGet, Path: "/s/:token", Access: anyone, Page: true, Handler: s.surveyPage, Doc: doc{Summary: "The survey page (mobile, right-to-left)"}},
		{Method: http.MethodPost, Path: "/api/v1/survey-responses/:token", Access: anyone, Handler: s.submitSurvey,
			Doc: doc{Summary: "Answer a survey once (JSON, or a form from the survey page)", Tag: "surveys", Request: surveyAnswerRequest{}, Response: surveyAnswerResponse{}, Status: http.StatusCreated, Errors: []int{400, 404, 410, 422, 429}}},
		{Method: http.MethodGet, Path: "/api/v1/offices/:id/surveys/summary", Access: officeOwner, Handler: s.officeSurveySummary,
			Doc: doc{Summary: "An office's survey figures for a period (withheld from owners below the minimum responses)", Tag: "surveys", Response: surveySummary{}, Query: surveyRangeQuery, Errors: []int{404}}},
		{Method: http.MethodGet, Path: "/api/v1/surveys/summary", Access: staff, Handler: s.surveysSummary,
			Doc: doc{Summary: "Every office's survey figures for a period", Tag: "surveys", Response: ListResponse[surveySummary]{}, Query: append(surveyRangeQuery, pageQuery...)}},
		{Method: http.MethodGet, Path: "/api/v1/survey-templates", Access: staff, Handler: s.listSurveyTemplates,
			Doc: doc{Summary: "Survey template versions, newest first", Tag: "surveys", Response: ListResponse[surveys.Template]{}}},
		{Method: http.MethodPost, Path: "/api/v1/survey-templates", Access: adminOnly, Handler: s.publishSurveyTemplate,
			Doc: doc{Summary: "Publish a new template version", Tag: "surveys", Request: templateRequest{}, Response: surveys.Template{}, Status: http.StatusCreated, Errors: []int{400, 409, 422}}},
		{Method: http.MethodGet, Path: "/api/v1/survey-flags", Access: staff, Handler: s.listSurveyFlags,
			Doc: doc{Summary: "Stuffing flags", Tag: "surveys", Response: ListResponse[surveys.Flag]{}, Query: flagsQuery}},
		{Method: http.MethodPost, Path: "/api/v1/survey-flags/:id/overrule", Access: staff, Handler: s.overruleSurveyFlag,
			Doc: doc{Summary: "Overrule a flag: the answer counts again", Tag: "surveys", Request: overruleRequest{}, Response: surveys.Flag{}, Errors: []int{400, 404, 409}}},

		// Complaints.
		{Method: http.MethodPost, Path: "/api/v1/complaints", Access: anyone, Handler: s.fileComplaint,
			Doc: doc{Summary: "File a complaint against an office without an account (JSON, or the /complaint page's form); rate-limited per client address; 201 with the tracking code and the expected answer date; 422 naming every bad field; 413 over the body limit", Tag: "complaints", Request: complaintRequest{}, Response: complaintReceipt{}, Status: http.StatusCreated, Errors: []int{400, 413, 422, 429}}},
		{Method: http.MethodGet, Path: "/api/v1/complaints/track/:tracking_code", Access: anyone, Handler: s.trackComplaint,
			Doc: doc{Summary: "Where a complaint stands, by its tracking code: state, dates, the outcome and its public note; nothing personal; rate-limited per client address", Tag: "complaints", Response: trackingResponse{}, Errors: []int{404, 429}}},
		{Method: http.MethodGet, Path: "/api/v1/complaints", Access: staff, Handler: s.listComplaints,
			Doc: doc{Summary: "The case queue, soonest deadline first", Tag: "complaints", Response: ListResponse[complaintResponse]{}, Query: complaintsQuery, Errors: []int{400}}},
		{Method: http.MethodGet, Path: "/api/v1/complaints/:id", Access: staff, Handler: s.getComplaint,
			Doc: doc{Summary: "One case with its steps; of the citizen's mobile number only its last four digits", Tag: "complaints", Response: complaintDetail{}, Errors: []int{404}}},
		{Method: http.MethodPost, Path: "/api/v1/complaints/:id/:action", Access: signedIn, Handler: s.complaintAction,
			Doc: doc{Summary: "A step on a case: triage, assign (inspector_id), reply (the office's owner only; answered as the owner sees the case), investigate, resolve (outcome upheld or not_upheld, from assigned or investigating; an inspector only on their own case), close, reopen; each with a note, audited; 409 when the state forbids it", Tag: "complaints", Request: complaintActionRequest{}, Response: complaintResponse{}, Errors: []int{400, 403, 404, 409, 422}}},
		{Method: http.MethodGet, Path: "/api/v1/offices/:id/complaints", Access: officeOwner, Handler: s.officeComplaints,
			Doc: doc{Summary: "The complaints against an office, as its owner sees them (the open cases first, each group soonest deadline first): never the citizen's contact, the tracking code or the visit day", Tag: "complaints", Response: ListResponse[ownerComplaintResponse]{}, Query: complaintsQuery, Errors: []int{400, 404}}},
		{Method: http.MethodGet, Path: "/complaint", Access: anyone, Page: true, Handler: s.complaintPage, Doc: doc{Summary: "File a complaint (citizens; mobile, right-to-left)"}},
		{Method: http.MethodGet, Path: "/complaint/track", Access: anyone, Page: true, Handler: s.complaintTrackPage, Doc: doc{Summary: "Follow a complaint by its tracking code"}},
		{Method: http.MethodGet, Path: "/admin/complaints", Access: staff, Page: true, Handler: s.adminComplaintsPage, Doc: doc{Summary: "The complaints queue (staff)"}},

		// Ranking and inspections.
		{Method: http.MethodGet, Path: "/api/v1/ranking/directives", Access: staff, Handler: s.listDirectives,
			Doc: doc{Summary: "Versions of the ranking directive, newest first", Tag: "ranking", Response: ListResponse[ranking.Directive]{}}},
		{Method: http.MethodPost, Path: "/api/v1/ranking/directives", Access: adminOnly, Handler: s.addDirective,
			Doc: doc{Summary: "Add a directive version", Tag: "ranking", Request: directiveRequest{}, Response: ranking.Directive{}, Status: http.StatusCreated, Errors: []int{400, 409, 422}}},
		{Method: http.MethodPost, Path: "/api/v1/ranking/runs", Access: adminOnly, Handler: s.computeRun,
			Doc: doc{Summary: "Compute a period's run as a draft (again, while it is a draft)", Tag: "ranking", Request: runRequest{}, Response: ranking.Run{}, Status: http.StatusCreated, Errors: []int{400, 409, 422}}},
		{Method: http.MethodGet, Path: "/api/v1/ranking/runs", Access: staff, Handler: s.listRuns,
			Doc: doc{Summary: "Ranking runs, newest period first", Tag: "ranking", Response: ListResponse[ranking.Run]{}, Query: pageQuery}},
		{Method: http.MethodGet, Path: "/api/v1/ranking/runs/:id", Access: staff, Handler: s.getRun,
			Doc: doc{Summary: "One run", Tag: "ranking", Response: ranking.Run{}, Errors: []int{404}}},
		{Method: http.MethodGet, Path: "/api/v1/ranking/runs/:id/results", Access: staff, Handler: s.runResults,
			Doc: doc{Summary: "A run's results with their explanations", Tag: "ranking", Response: ListResponse[ranking.Result]{}, Query: resultsQuery, Errors: []int{404}}},
		{Method: http.MethodPost, Path: "/api/v1/ranking/runs/:id/publish", Access: adminOnly, Handler: s.publishRun,
			Doc: doc{Summary: "Freeze and publish a draft (If-Match: the draft's version)", Tag: "ranking", Response: ranking.Run{}, Headers: []param{ifMatchHeader}, Errors: []int{400, 404, 409}}},
		{Method: http.MethodPost, Path: "/api/v1/ranking/runs/:id/verify", Access: staff, Handler: s.verifyRun,
			Doc: doc{Summary: "Verify a run in two parts, storing nothing: reproduce from its stored inputs (must match bit for bit) and drift against today's data (what changed, where, which ranks and grades would move)", Tag: "ranking", Response: ranking.Verification{}, Errors: []int{404}}},
		{Method: http.MethodGet, Path: "/api/v1/offices/:id/ranking", Access: officeOwner, Handler: s.officeRanking,
			Doc: doc{Summary: "The office's published results, explained", Tag: "ranking", Response: officeRanking{}, Errors: []int{404}}},

		// Inspections.
		{Method: http.MethodPost, Path: "/api/v1/offices/:id/inspections", Access: planners, Handler: s.recordInspection,
			Doc: doc{Summary: "Record an inspection: an answer to every checklist item and/or free-text findings; failures open corrective actions, passes confirm them, the office's open assignment is done", Tag: "inspections", Request: inspectionRequest{}, Response: inspectionResponse{}, Status: http.StatusCreated, Errors: []int{400, 404, 422}}},
		{Method: http.MethodGet, Path: "/api/v1/offices/:id/inspections", Access: officeOwner, Handler: s.listInspections,
			Doc: doc{Summary: "An office's inspections, newest first; its owner gets each item's result and the findings, not the inspector, the inspector's notes or the assignment", Tag: "inspections", Response: ListResponse[inspectionResponse]{}, Query: pageQuery, Errors: []int{404}}},
		{Method: http.MethodGet, Path: "/api/v1/inspections/worklist", Access: planners, Handler: s.worklist,
			Doc: doc{Summary: "Active offices by risk score, highest first, each with the reasons that add up to it", Tag: "inspections", Response: ListResponse[worklistItem]{}, Query: worklistQuery, Errors: []int{400}}},
		{Method: http.MethodGet, Path: "/api/v1/inspections/assignments", Access: planners, Handler: s.listAssignments,
			Doc: doc{Summary: "Inspection assignments, soonest due first", Tag: "inspections", Response: ListResponse[assignmentResponse]{}, Query: assignmentsQuery, Errors: []int{400}}},
		{Method: http.MethodPost, Path: "/api/v1/inspections/assignments", Access: planners, Handler: s.createAssignment,
			Doc: doc{Summary: "Assign an inspection of an office to an inspector by a due day; 409 while the office has an open one", Tag: "inspections", Request: assignmentRequest{}, Response: assignmentResponse{}, Status: http.StatusCreated, Errors: []int{400, 409, 422}}},
		{Method: http.MethodGet, Path: "/api/v1/inspections/assignments/:aid", Access: planners, Handler: s.getAssignment,
			Doc: doc{Summary: "One assignment", Tag: "inspections", Response: assignmentResponse{}, Errors: []int{404}}},
		{Method: http.MethodPost, Path: "/api/v1/inspections/assignments/:aid/:action", Access: planners, Handler: s.assignmentAct,
			Doc: doc{Summary: "Cancel an assignment (action cancel, with a note); 409 unless it is assigned", Tag: "inspections", Request: noteRequest{}, Response: assignmentResponse{}, Errors: []int{400, 404, 409, 422}}},
		{Method: http.MethodGet, Path: "/api/v1/inspection-checklists", Access: staff, Handler: s.listChecklists,
			Doc: doc{Summary: "Inspection checklist versions, newest first", Tag: "inspections", Response: ListResponse[checklistResponse]{}}},
		{Method: http.MethodPost, Path: "/api/v1/inspection-checklists", Access: adminOnly, Handler: s.publishChecklist,
			Doc: doc{Summary: "Publish the next checklist version", Tag: "inspections", Request: checklistRequest{}, Response: checklistResponse{}, Status: http.StatusCreated, Errors: []int{400, 409, 422}}},
		{Method: http.MethodGet, Path: "/api/v1/offices/:id/corrective-actions", Access: officeOwner, Handler: s.listCorrectiveActions,
			Doc: doc{Summary: "The office's corrective actions, the unconfirmed first by due day", Tag: "inspections", Response: ListResponse[correctiveActionResponse]{}, Query: correctiveActionsQuery, Errors: []int{400, 404}}},
		{Method: http.MethodGet, Path: "/api/v1/offices/:id/corrective-actions/:cid", Access: officeOwner, Handler: s.getCorrectiveAction,
			Doc: doc{Summary: "One corrective action with its history", Tag: "inspections", Response: correctiveActionResponse{}, Errors: []int{404}}},
		{Method: http.MethodPost, Path: "/api/v1/offices/:id/corrective-actions/:cid/:action", Access: officeOwner, Handler: s.correctiveActionAct,
			Doc: doc{Summary: "Act on a corrective action: done (the office's owner, with a note), confirm or reopen (staff; reopen with a note); 409 when the state forbids it", Tag: "inspections", Request: noteRequest{}, Response: correctiveActionResponse{}, Errors: []int{400, 403, 404, 409, 422}}},

		// Reports.
		{Method: http.MethodGet, Path: "/api/v1/reports/:file", Access: signedIn, Handler: s.report,
			Doc: doc{Summary: "A report as {kind}.xlsx (right to left) or {kind}.csv; kinds: offices, crowding, surveys, rankings, candidates, visits (a period's visits, one row each, streamed; at most a quarter, and as XLSX at most 3,145,725 rows), licences, allocations, demand, complaints, inspections; each follows the access rule of the routes whose records it holds (office owners: their own office's rows)", Tag: "reports", Produces: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Query: reportQuery, Errors: []int{400, 403, 404, 422}}},

		// Dashboard pages.
		{Method: http.MethodGet, Path: "/", Access: anyone, Page: true, Handler: s.home, Doc: doc{Summary: "Redirect to the caller's home"}},
		{Method: http.MethodGet, Path: "/login", Access: anyone, Page: true, Handler: s.loginPage, Doc: doc{Summary: "Sign-in page"}},
		{Method: http.MethodPost, Path: "/login", Access: anyone, Page: true, Handler: s.loginSubmit, Doc: doc{Summary: "Sign in (form)"}},
		{Method: http.MethodPost, Path: "/logout", Access: signedIn, Page: true, Handler: s.logoutPage, Doc: doc{Summary: "Sign out (form)"}},
		{Method: http.MethodGet, Path: "/admin", Access: staff, Page: true, Handler: s.adminHome, Doc: doc{Summary: "Staff overview"}},
		{Method: http.MethodGet, Path: "/admin/offices", Access: staff, Page: true, Handler: s.officesPage, Doc: doc{Summary: "Offices list"}},
		{Method: http.MethodGet, Path: "/admin/offices/:id", Access: staff, Page: true, Handler: s.officePage, Doc: doc{Summary: "One office"}},
		{Method: http.MethodGet, Path: "/admin/demand", Access: staff, Page: true, Handler: s.demandPage, Doc: doc{Summary: "Need and shortage per city, with the figures behind them and a what-if"}},
		{Method: http.MethodGet, Path: "/admin/licensing", Access: adminOrMin, Page: true, Handler: s.roundsPage, Doc: doc{Summary: "Licensing rounds, quotas and licences by state"}},
		{Method: http.MethodGet, Path: "/finder", Access: anyone, Page: true, Handler: s.finderPage, Doc: doc{Summary: "Citizens' office finder"}},
		{Method: http.MethodGet, Path: "/dashboard", Access: access{Roles: []daftar.Role{daftar.RoleOfficeOwner}}, Page: true, Handler: s.ownerHome, Doc: doc{Summary: "Office owner's dashboard"}},

		// The owner's dashboard: what the owner changes and sends (issue 14).
		{Method: http.MethodPost, Path: "/dashboard/contact", Access: access{Roles: []daftar.Role{daftar.RoleOfficeOwner}}, Page: true, Handler: s.updateContactPage,
			Doc: doc{Summary: "The owner changes the office's phone and opening hours (form; the version read, else 409)"}},
		{Method: http.MethodPost, Path: "/dashboard/complaints/:id/reply", Access: access{Roles: []daftar.Role{daftar.RoleOfficeOwner}}, Page: true, Handler: s.replyComplaintPage,
			Doc: doc{Summary: "The owner answers a complaint against their office (form, field note): the reply of POST /api/v1/complaints/{id}/reply"}},
		{Method: http.MethodPost, Path: "/dashboard/corrective-actions/:cid/done", Access: access{Roles: []daftar.Role{daftar.RoleOfficeOwner}}, Page: true, Handler: s.correctiveDonePage,
			Doc: doc{Summary: "The owner marks a corrective action of their office done (form, field note): the done of POST /api/v1/offices/{id}/corrective-actions/{cid}/done"}},
		{Method: http.MethodPost, Path: "/dashboard/visits", Access: access{Roles: []daftar.Role{daftar.RoleOfficeOwner}}, Page: true, Upload: true, Handler: s.uploadVisits,
			Doc: doc{Summary: "The owner uploads a visits CSV of their own office (form, field file): the import of daftar import visits, with each refused row"}},
		{Method: http.MethodPatch, Path: "/api/v1/offices/:id/contact", Access: officeAdmin, Handler: s.updateContact,
			Doc: doc{Summary: "The owner's own change of the office's phone and opening hours; If-Match with its version refuses a stale write (409); a change that changes nothing leaves the version", Tag: "offices", Request: contactRequest{}, Response: officeResponse{}, Errors: []int{400, 404, 409, 422}, Headers: []param{ifMatchHeader}}},

		// Licensing: exam-result intake and candidates.
		{Method: http.MethodPost, Path: "/api/v1/exam-imports", Access: adminOrMin, Upload: true, Handler: s.createExamImport,
			Doc: doc{Summary: "Import an exam-result file (multipart field file: CSV or XLSX); the same content again answers 200 with the first report", Tag: "licensing", Form: true, Response: examImportResponse{}, Status: http.StatusCreated, Query: examImportQuery, Errors: []int{400, 422}}},
		{Method: http.MethodGet, Path: "/api/v1/exam-imports", Access: adminOrMin, Handler: s.listExamImports,
			Doc: doc{Summary: "Exam imports, newest first", Tag: "licensing", Response: ListResponse[examImportSummary]{}, Query: examImportsQuery}},
		{Method: http.MethodGet, Path: "/api/v1/exam-imports/:id", Access: adminOrMin, Handler: s.getExamImport,
			Doc: doc{Summary: "An import's report, with a page of its rejections", Tag: "licensing", Response: examImportResponse{}, Query: pageQuery, Errors: []int{404}}},
		{Method: http.MethodGet, Path: "/api/v1/exam-imports/:id/rejections.xlsx", Access: adminOrMin, Handler: s.examRejectionsXLSX,
			Doc: doc{Summary: "The refused rows as a right-to-left spreadsheet to fix and upload again", Tag: "licensing", Produces: xlsxType, Query: rejectionsXLSXQuery, Errors: []int{404}}},
		{Method: http.MethodGet, Path: "/api/v1/candidates", Access: adminOrMin, Handler: s.listCandidates,
			Doc: doc{Summary: "Candidates, best score first", Tag: "licensing", Response: ListResponse[candidateResponse]{}, Query: candidatesQuery}},
		{Method: http.MethodGet, Path: "/api/v1/candidates/:id", Access: adminOrMin, Handler: s.getCandidate,
			Doc: doc{Summary: "One candidate; its version is the ETag", Tag: "licensing", Response: candidateResponse{}, Query: candidateQuery, Errors: []int{404}}},
		{Method: http.MethodPatch, Path: "/api/v1/candidates/:id", Access: adminOrMin, Handler: s.reviewCandidate,
			Doc: doc{Summary: "Document review: documents_submitted, approved, or rejected with a reason; 409 when the state forbids it or the version is stale", Tag: "licensing", Request: candidateReviewRequest{}, Response: candidateResponse{}, Errors: []int{400, 404, 409, 422}, Headers: []param{ifMatchHeader}}},

		// Licensing: demand, rounds, allocation, licences.
		{Method: http.MethodGet, Path: "/api/v1/demand", Access: staff, Handler: s.getDemand,
			Doc: doc{Summary: "Need and shortage per city, largest shortage first, each with the figures behind it: population per office against the target (and the notary law's 15,000-20,000), Erlang C queueing need at the peak hour, E2SFCA accessibility, observed crowding, licences not yet open", Tag: "licensing", Response: demandResponse{}, Query: demandQuery}},
		{Method: http.MethodGet, Path: "/api/v1/demand/:code/what-if", Access: staff, Handler: s.demandWhatIf,
			Doc: doc{Summary: "What if a city got add more offices: expected and p90 wait (Erlang C with the added counters) and residents per office, before and after", Tag: "licensing", Response: whatIfResponse{}, Query: whatIfQuery, Errors: []int{404, 422}}},
		{Method: http.MethodPost, Path: "/api/v1/licensing-rounds", Access: adminOrMin, Handler: s.createRound,
			Doc: doc{Summary: "Create a round: quotas per city follow the demand model's shortage, by largest remainder, summing to total_licences", Tag: "licensing", Request: roundRequest{}, Response: roundResponse{}, Status: http.StatusCreated, Errors: []int{400, 422}}},
		{Method: http.MethodGet, Path: "/api/v1/licensing-rounds", Access: adminOrMin, Handler: s.listRounds,
			Doc: doc{Summary: "Licensing rounds, newest first", Tag: "licensing", Response: ListResponse[roundResponse]{}, Query: roundsQuery}},
		{Method: http.MethodGet, Path: "/api/v1/licensing-rounds/:id", Access: adminOrMin, Handler: s.getRound,
			Doc: doc{Summary: "A round and its quotas", Tag: "licensing", Response: roundResponse{}, Errors: []int{404}}},
		{Method: http.MethodPatch, Path: "/api/v1/licensing-rounds/:id/quotas/:code", Access: adminOrMin, Handler: s.overrideQuota,
			Doc: doc{Summary: "Override a city's quota with a reason (null quota removes the override); the rest of the total is apportioned again; a standing allocation is undone; 409 once closed", Tag: "licensing", Request: quotaOverrideRequest{}, Response: roundResponse{}, Errors: []int{400, 404, 409, 422}}},
		{Method: http.MethodPost, Path: "/api/v1/licensing-rounds/:id/allocate", Access: adminOrMin, Handler: s.allocateRound,
			Doc: doc{Summary: "Place the qualifying approved candidates by candidate-proposing deferred acceptance (again, until the round is closed)", Tag: "licensing", Response: roundResponse{}, Errors: []int{400, 404, 409}}},
		{Method: http.MethodGet, Path: "/api/v1/licensing-rounds/:id/allocations", Access: adminOrMin, Handler: s.listAllocations,
			Doc: doc{Summary: "A round's allocation: every qualifying candidate, placed or not, with the reason", Tag: "licensing", Response: ListResponse[allocationItem]{}, Query: allocationsQuery, Errors: []int{404}}},
		{Method: http.MethodPost, Path: "/api/v1/licensing-rounds/:id/close", Access: adminOrMin, Handler: s.closeRound,
			Doc: doc{Summary: "Close a round: its allocation becomes final and licences may be issued from it", Tag: "licensing", Request: closeRoundRequest{}, Response: roundResponse{}, Errors: []int{400, 404, 409, 422}}},
		{Method: http.MethodPost, Path: "/api/v1/licences", Access: adminOrMin, Handler: s.issueLicences,
			Doc: doc{Summary: "Issue licences from a closed round's allocation (all, or one candidate's), or singly by an admin against a city's unfilled quota with a reason; 201 with those issued, 200 when all were issued before", Tag: "licensing", Request: issueRequest{}, Response: issueResponse{}, Status: http.StatusCreated, Errors: []int{400, 409, 422}}},
		{Method: http.MethodGet, Path: "/api/v1/licences", Access: staff, Handler: s.listLicences,
			Doc: doc{Summary: "Licences, newest first", Tag: "licensing", Response: ListResponse[licenceResponse]{}, Query: licencesQuery}},
		{Method: http.MethodGet, Path: "/api/v1/licences/:id", Access: staff, Handler: s.getLicence,
			Doc: doc{Summary: "One licence; its version is the ETag", Tag: "licensing", Response: licenceResponse{}, Errors: []int{404}}},
		{Method: http.MethodPost, Path: "/api/v1/licences/:id/:action", Access: adminOnly, Handler: s.licenceAction,
			Doc: doc{Summary: "Lifecycle: activate (opens the office: inside the city, at least the minimum distance from every active office, else 422 naming the nearest), suspend, reinstate, revoke, renew; each with a reason; 409 when the state forbids it; 404 for another action", Tag: "licensing", Request: licenceActionRequest{}, Response: licenceResponse{}, Errors: []int{400, 404, 409, 422}}},

		// Visits, crowding and the finder.
		{Method: http.MethodPost, Path: "/api/v1/offices/:id/visits", Access: officeAdmin, Handler: s.recordVisits,
			Doc: doc{Summary: "Record a batch of visits (at most 1000), idempotent by the office's ticket reference: each item is accepted, a duplicate or refused with its reason; 409 when the office is not active", Tag: "visits", Request: visitsDoc{}, Response: visitsResponse{}, Errors: []int{400, 404, 409}}},
		{Method: http.MethodGet, Path: "/api/v1/offices/:id/crowding", Access: officeOwner, Handler: s.officeCrowding,
			Doc: doc{Summary: "An office's crowding figures over a range, by hour of day, weekday or day", Tag: "visits", Response: officeCrowdingResponse{}, Query: officeCrowdingQuery, Errors: []int{404}}},
		{Method: http.MethodGet, Path: "/api/v1/crowding/regions", Access: staff, Handler: s.regionsCrowding,
			Doc: doc{Summary: "Hotspots: cities and provinces ordered by p90 wait, then utilisation, with their figures", Tag: "visits", Response: regionsCrowdingResponse{}, Query: regionsCrowdingQuery}},
		{Method: http.MethodGet, Path: "/api/v1/finder", Access: anyone, Handler: s.finder,
			Doc: doc{Summary: "The best active offices offering a service near a point: travel time plus predicted wait", Tag: "visits", Response: finderResponse{}, Query: finderQuery}},

		// Audit.
		{Method: http.MethodGet, Path: "/api/v1/audit-events", Access: adminOnly, Handler: s.listAudit,
			Doc: doc{Summary: "The audit log, newest first", Tag: "audit", Response: ListResponse[auditResponse]{}, Query: auditQuery}},

		// Jobs.
		{Method: http.MethodGet, Path: "/api/v1/jobs", Access: adminOnly, Handler: s.listJobs,
			Doc: doc{Summary: "The scheduled jobs, each a cluster job (once per firing across replicas) or a local refresh (on every replica), with its next firing and latest runs", Tag: "operations", Response: ListResponse[jobResponse]{}, Query: jobsQuery}},
		{Method: http.MethodPost, Path: "/api/v1/jobs/:name/run", Access: adminOnly, Handler: s.runJob,
			Doc: doc{Summary: "Run a job now, as a firing of its own: 202 with the run (its outcome shows in GET /api/v1/jobs); 409 while it runs on any replica; a local refresh runs on the replica that took the request", Tag: "operations", Response: jobRunResponse{}, Status: http.StatusAccepted, Errors: []int{404, 409}}},

		// Staff workbench pages (/admin/*): each takes the access rule of the
		// API routes whose service calls it makes.
		{Method: http.MethodGet, Path: "/admin/crowding", Access: staff, Page: true, Handler: s.adminCrowding, Doc: doc{Summary: "Hotspots, the map of offices by p90 wait, national trends"}},
		{Method: http.MethodGet, Path: "/admin/surveys", Access: staff, Page: true, Handler: s.adminSurveys, Doc: doc{Summary: "Survey figures per office, and the stuffing flags to review"}},
		{Method: http.MethodPost, Path: "/admin/surveys/flags/:id/overrule", Access: staff, Page: true, Handler: s.overruleFlag, Doc: doc{Summary: "Overrule a flag with a reason (form)"}},
		{Method: http.MethodGet, Path: "/admin/ranking", Access: staff, Page: true, Handler: s.adminRanking, Doc: doc{Summary: "Ranking runs, a run set against the previous published one, its results"}},
		{Method: http.MethodPost, Path: "/admin/ranking/runs", Access: adminOnly, Page: true, Handler: s.computeRunPage, Doc: doc{Summary: "Compute a period's draft (form)"}},
		{Method: http.MethodPost, Path: "/admin/ranking/runs/:id/publish", Access: adminOnly, Page: true, Handler: s.publishRunPage, Doc: doc{Summary: "Publish a draft with its version, confirmed (form)"}},
		{Method: http.MethodPost, Path: "/admin/ranking/runs/:id/verify", Access: staff, Page: true, Handler: s.verifyRunPage, Doc: doc{Summary: "Verify a run (form)"}},
		{Method: http.MethodGet, Path: "/admin/imports", Access: adminOrMin, Page: true, Handler: s.adminImports, Doc: doc{Summary: "Exam imports: upload (checked first, then imported) and history"}},
		{Method: http.MethodPost, Path: "/admin/imports", Access: adminOrMin, Page: true, Upload: true, Handler: s.uploadImport, Doc: doc{Summary: "Check or import an exam file (form)"}},
		{Method: http.MethodGet, Path: "/admin/imports/:id", Access: adminOrMin, Page: true, Handler: s.adminImport, Doc: doc{Summary: "An import's report with its refused rows"}},
		{Method: http.MethodGet, Path: "/admin/candidates", Access: adminOrMin, Page: true, Handler: s.adminCandidates, Doc: doc{Summary: "Candidates with filters"}},
		{Method: http.MethodGet, Path: "/admin/candidates/:id", Access: adminOrMin, Page: true, Handler: s.adminCandidate, Doc: doc{Summary: "One candidate and the document review"}},
		{Method: http.MethodPost, Path: "/admin/candidates/:id/review", Access: adminOrMin, Page: true, Handler: s.reviewCandidatePage, Doc: doc{Summary: "Record a document-review decision (form)"}},
		{Method: http.MethodPost, Path: "/admin/candidates/:id/reveal", Access: adminOnly, Page: true, Handler: s.revealCandidatePage, Doc: doc{Summary: "Show an admin the full national code, audited (form)"}},
		{Method: http.MethodPost, Path: "/admin/licensing", Access: adminOrMin, Page: true, Handler: s.createRoundPage, Doc: doc{Summary: "Create a round with its policy (form)"}},
		{Method: http.MethodGet, Path: "/admin/licensing/:id", Access: adminOrMin, Page: true, Handler: s.adminRound, Doc: doc{Summary: "A round: its policy beside the demand page's, quotas, allocation"}},
		{Method: http.MethodPost, Path: "/admin/licensing/:id/quotas", Access: adminOrMin, Page: true, Handler: s.overrideQuotaPage, Doc: doc{Summary: "Override a city's quota with a reason (form)"}},
		{Method: http.MethodPost, Path: "/admin/licensing/:id/allocate", Access: adminOrMin, Page: true, Handler: s.allocateRoundPage, Doc: doc{Summary: "Allocate the round (form)"}},
		{Method: http.MethodPost, Path: "/admin/licensing/:id/close", Access: adminOrMin, Page: true, Handler: s.closeRoundPage, Doc: doc{Summary: "Close the round, confirmed (form)"}},
		{Method: http.MethodPost, Path: "/admin/licensing/:id/issue", Access: adminOrMin, Page: true, Handler: s.issueLicencesPage, Doc: doc{Summary: "Issue the closed round's licences, confirmed (form)"}},
		{Method: http.MethodGet, Path: "/admin/licences", Access: staff, Page: true, Handler: s.adminLicences, Doc: doc{Summary: "Licences with filters"}},
		{Method: http.MethodGet, Path: "/admin/licences/:id", Access: staff, Page: true, Handler: s.adminLicence, Doc: doc{Summary: "One licence, its history and lifecycle actions"}},
		{Method: http.MethodPost, Path: "/admin/licences/:id/:action", Access: adminOnly, Page: true, Handler: s.licenceActionPage, Doc: doc{Summary: "A lifecycle action with its reason (form)"}},
		{Method: http.MethodGet, Path: "/admin/users", Access: adminOnly, Page: true, Handler: s.adminUsers, Doc: doc{Summary: "Accounts"}},
		{Method: http.MethodPost, Path: "/admin/users", Access: adminOnly, Page: true, Handler: s.createUserPage, Doc: doc{Summary: "Create an account (form)"}},
		{Method: http.MethodGet, Path: "/admin/users/:id", Access: adminOnly, Page: true, Handler: s.adminUser, Doc: doc{Summary: "One account"}},
		{Method: http.MethodPost, Path: "/admin/users/:id", Access: adminOnly, Page: true, Handler: s.updateUserPage, Doc: doc{Summary: "Change an account: role and office, disabled, password (form)"}},
		{Method: http.MethodGet, Path: "/admin/audit", Access: adminOnly, Page: true, Handler: s.adminAudit, Doc: doc{Summary: "The audit log with filters; ?verify=1 walks the hash chain"}},
		{Method: http.MethodGet, Path: "/admin/complaints/:id", Access: staff, Page: true, Handler: s.adminComplaint, Doc: doc{Summary: "One complaint case, its steps and the next ones"}},
		{Method: http.MethodPost, Path: "/admin/complaints/:id/:action", Access: staff, Page: true, Handler: s.complaintActionPage, Doc: doc{Summary: "A step on a case with its note: triage, assign, investigate, resolve, close, reopen (form)"}},
		{Method: http.MethodGet, Path: "/admin/inspections", Access: planners, Page: true, Handler: s.adminInspections, Doc: doc{Summary: "The risk worklist and the assignments"}},
		{Method: http.MethodPost, Path: "/admin/inspections/assignments", Access: planners, Page: true, Handler: s.assignPage, Doc: doc{Summary: "Assign an inspection to an inspector by a day (form)"}},
		{Method: http.MethodPost, Path: "/admin/inspections/assignments/:id/cancel", Access: planners, Page: true, Handler: s.cancelAssignmentPage, Doc: doc{Summary: "Cancel an assignment with a reason (form)"}},
		{Method: http.MethodGet, Path: "/admin/inspections/offices/:id", Access: planners, Page: true, Handler: s.recordInspectionForm, Doc: doc{Summary: "Record an inspection of an office against the checklist"}},
		{Method: http.MethodPost, Path: "/admin/inspections/offices/:id", Access: planners, Page: true, Handler: s.recordInspectionPage, Doc: doc{Summary: "Record an inspection (form)"}},
	}
}

// RouteInfo describes a route for tests and tooling.
type RouteInfo struct {
	Method, Path string
	Public       bool
	Page         bool
}

// Routes lists every route of the table.
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, len(s.routes))
	for i, r := range s.routes {
		out[i] = RouteInfo{Method: r.Method, Path: r.Path, Public: r.Access.Public, Page: r.Page}
	}
	return out
}
