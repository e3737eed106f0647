// Package chart draws the charts and maps of Daftar's pages as SVG on the
// server, so a page needs no script and makes no outside request.
//
// Every kind (LineChart, BarChart, HBarChart, Sparkline, Map) has an SVG
// method and a Table method that shows the same figures as an HTML table for
// people who cannot see the drawing; Figure puts both together under a
// <details>. Every word on a chart comes from the caller (Options and the
// chart's fields): the package bakes in no language. Numbers go through
// Options.Format, Persian digits by default. For Persian (Options.RTL) the
// category axis runs from right to left and text anchors are mirrored.
//
// Each drawn value carries data-point (line, sparkline, map) or data-bar (bar
// charts) and data-value attributes, so tests can count what was drawn; a
// value that is NaN or infinite is not drawn (Marks says how many are).
package chart
