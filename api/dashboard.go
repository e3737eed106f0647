package api

import "github.com/gin-gonic/gin"

// mountDashboard adds the server-rendered pages.
func (s *Server) mountDashboard(e *gin.Engine) error { return nil }
