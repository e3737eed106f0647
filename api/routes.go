package api

import (
	"net/http"

	"github.com/daftar-ir/daftar"

	"github.com/gin-gonic/gin"
)

// route is one endpoint: path, who may call it, the handler, and what the
// OpenAPI document says of it.
type route struct {
	Method  string
	Path    string // gin syntax: /api/v1/offices/:id
	Access  access
	Handler gin.HandlerFunc
	Upload  bool // takes a file: the larger body limit applies
	Page    bool // a dashboard page: HTML errors, and a sign-in redirect instead of 401
	Doc     doc
}

// table lists every route of the server, in one place.
func (s *Server) table() []route {
	return []route{
		// Operations.
		{Method: http.MethodGet, Path: "/healthz", Access: anyone, Handler: s.healthz, Doc: doc{Summary: "The process is alive", Tag: "operations"}},
		{Method: http.MethodGet, Path: "/readyz", Access: anyone, Handler: s.readyz, Doc: doc{Summary: "The database answers", Tag: "operations"}},
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

		// Dashboard pages.
		{Method: http.MethodGet, Path: "/", Access: anyone, Page: true, Handler: s.home, Doc: doc{Summary: "Redirect to the caller's home"}},
		{Method: http.MethodGet, Path: "/login", Access: anyone, Page: true, Handler: s.loginPage, Doc: doc{Summary: "Sign-in page"}},
		{Method: http.MethodPost, Path: "/login", Access: anyone, Page: true, Handler: s.loginSubmit, Doc: doc{Summary: "Sign in (form)"}},
		{Method: http.MethodPost, Path: "/logout", Access: signedIn, Page: true, Handler: s.logoutPage, Doc: doc{Summary: "Sign out (form)"}},
		{Method: http.MethodGet, Path: "/admin", Access: staff, Page: true, Handler: s.adminHome, Doc: doc{Summary: "Staff overview"}},
		{Method: http.MethodGet, Path: "/admin/offices", Access: staff, Page: true, Handler: s.officesPage, Doc: doc{Summary: "Offices list"}},
		{Method: http.MethodGet, Path: "/admin/offices/:id", Access: staff, Page: true, Handler: s.officePage, Doc: doc{Summary: "One office"}},
		{Method: http.MethodGet, Path: "/dashboard", Access: access{Roles: []daftar.Role{daftar.RoleOfficeOwner}}, Page: true, Handler: s.ownerHome, Doc: doc{Summary: "Office owner's dashboard"}},

		// Audit.
		{Method: http.MethodGet, Path: "/api/v1/audit-events", Access: adminOnly, Handler: s.listAudit,
			Doc: doc{Summary: "The audit log, newest first", Tag: "audit", Response: ListResponse[auditResponse]{}, Query: auditQuery}},
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
