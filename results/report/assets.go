package report

import (
	"embed"
	"fmt"
	"html/template"
)

// echartsVersion is the version of the vendored assets/echarts.min.js (npm package echarts).
const echartsVersion = "5.4.3"

//go:embed assets/echarts.min.js
var echartsJS string

//go:embed assets/echarts.min.js assets/LICENSE assets/NOTICE assets/LICENSE-d3
var echartsFiles embed.FS

// echartsScript is the library as a script body. The vendored file holds neither "</script" nor
// "<!--" (the tests check), so it can sit inside a <script> element as it is.
func echartsScript() template.JS { return template.JS(echartsJS) }

// EchartsFiles are the vendored library and its licence files (echarts.min.js, LICENSE, NOTICE,
// LICENSE-d3), for a site that serves them once to all its pages.
func EchartsFiles() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, name := range []string{"echarts.min.js", "LICENSE", "NOTICE", "LICENSE-d3"} {
		b, err := echartsFiles.ReadFile("assets/" + name)
		if err != nil {
			return nil, fmt.Errorf("reading the vendored %s: %w", name, err)
		}
		out[name] = b
	}
	return out, nil
}
