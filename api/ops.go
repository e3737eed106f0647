package api

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/gin-gonic/gin"
)

type healthResponse struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

func (s *Server) healthz(c *gin.Context) (any, error) {
	return healthResponse{Status: "ok", Version: s.cfg.Version}, nil
}

func (s *Server) readyz(c *gin.Context) (any, error) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "error", err.Error())
		return nil, daftar.Unavailable("database_unavailable", "the database does not answer")
	}
	return healthResponse{Status: "ready", Version: s.cfg.Version}, nil
}

func (s *Server) metricsHandler(c *gin.Context) {
	s.metrics.handler(s.Metrics).ServeHTTP(c.Writer, c.Request)
}
