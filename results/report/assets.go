package report

import (
	_ "embed"
	"html/template"
)

// echartsVersion is the version of the vendored assets/echarts.min.js (npm package echarts).
const echartsVersion = "5.4.3"

//go:embed assets/echarts.min.js
var echartsJS string

// echartsScript is the library as a script body. The vendored file holds neither "</script" nor
// "<!--" (the tests check), so it can sit inside a <script> element as it is.
func echartsScript() template.JS { return template.JS(echartsJS) }
