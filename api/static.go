package api

import (
	"io/fs"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// fontCache is a year: a font's file name carries its version, so a new
// font is a new URL and a cached one never goes stale.
const fontCache = "public, max-age=31536000, immutable"

// staticHeaders adds what http.FileServer leaves out for the files in
// fonts/: a long cache, and the font type set here rather than looked up
// in the host's MIME table (a distroless image has none). Only a file that
// exists gets them, so a mistyped URL is not cached for a year.
func staticHeaders(files fs.FS) gin.HandlerFunc {
	return func(c *gin.Context) {
		name := strings.TrimPrefix(path.Clean(c.Param("filepath")), "/")
		if strings.HasPrefix(name, "fonts/") {
			if st, err := fs.Stat(files, name); err == nil && !st.IsDir() {
				if path.Ext(name) == ".woff2" {
					c.Header("Content-Type", "font/woff2")
				}
				c.Header("Cache-Control", fontCache)
			}
		}
		c.Next()
	}
}
