package chart

import (
	"html/template"
	"strings"
)

// cell is one table cell; a number is marked so CSS can align it.
type cell struct {
	text string
	href string
	num  bool
}

// table writes the caption, the header row and one row per category, the
// first cell of each row being its header. With no row it is o.NoData.
func table(r resolved, head []string, rows [][]cell) template.HTML {
	if len(rows) == 0 {
		return template.HTML(`<p class="chart-nodata">` + esc(r.NoData) + `</p>`)
	}
	var b strings.Builder
	dir := "ltr"
	if r.RTL {
		dir = "rtl"
	}
	b.WriteString(`<table class="chart-table" dir="` + dir + `">`)
	if r.Title != "" {
		b.WriteString("<caption>" + esc(r.Title) + "</caption>")
	}
	b.WriteString("<thead><tr>")
	for _, h := range head {
		b.WriteString(`<th scope="col">` + esc(h) + "</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for _, row := range rows {
		b.WriteString("<tr>")
		for i, c := range row {
			tag := "td"
			if i == 0 {
				tag = "th"
				b.WriteString(`<th scope="row">`)
			} else if c.num {
				b.WriteString(`<td class="num">`)
			} else {
				b.WriteString("<td>")
			}
			if h := safeHref(c.href); h != "" {
				b.WriteString(`<a href="` + esc(h) + `">` + esc(c.text) + "</a>")
			} else {
				b.WriteString(esc(c.text))
			}
			b.WriteString("</" + tag + ">")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table>")
	return template.HTML(b.String())
}

func numCell(r resolved, v float64) cell { return cell{text: r.num(v), num: true} }

// Table is the chart's figures: a row per category, a column per series,
// and the band as "low – high".
func (c LineChart) Table(o Options) template.HTML {
	r := o.resolve(0, 0, "line")
	if _, _, _, ok := c.domain(); !ok {
		return table(r, nil, nil)
	}
	head := []string{c.XTitle}
	for _, s := range c.Series {
		head = append(head, s.Name)
	}
	if c.Band != nil {
		head = append(head, c.Band.Label)
	}
	var rows [][]cell
	for i := range c.n() {
		row := []cell{{text: label(c.Labels, i)}}
		for _, s := range c.Series {
			row = append(row, numCell(r, at(s.Values, i)))
		}
		if c.Band != nil {
			row = append(row, cell{text: r.num(at(c.Band.Low, i)) + " – " + r.num(at(c.Band.High, i)), num: true})
		}
		rows = append(rows, row)
	}
	return table(r, head, rows)
}

// Table is the bars' figures, the highlighted ones marked in their own column.
func (c BarChart) Table(o Options) template.HTML {
	r := o.resolve(0, 0, "bars")
	if c.Marks() == 0 {
		return table(r, nil, nil)
	}
	head := []string{c.XTitle, c.ValueTitle}
	mark := c.Highlight > 0 && c.HighlightLabel != ""
	if mark {
		head = append(head, c.HighlightLabel)
	}
	hl := c.highlighted()
	var rows [][]cell
	for i := range c.n() {
		row := []cell{{text: label(c.Labels, i)}, numCell(r, at(c.Values, i))}
		if mark {
			t := ""
			if hl[i] {
				t = "✓"
			}
			row = append(row, cell{text: t})
		}
		rows = append(rows, row)
	}
	return table(r, head, rows)
}

// Table is a row per criterion: score, median, best and note.
func (c HBarChart) Table(o Options) template.HTML {
	r := o.resolve(0, 0, "hbars")
	head := []string{c.LabelTitle, c.ValueTitle, c.MedianLabel, c.BestLabel, c.NoteTitle}
	var rows [][]cell
	for _, row := range c.Rows {
		med, best := cell{num: true}, cell{num: true}
		if row.Peers != nil {
			med, best = numCell(r, row.Peers.Median), numCell(r, row.Peers.Best)
		}
		rows = append(rows, []cell{{text: row.Label}, numCell(r, row.Score), med, best, {text: row.Note}})
	}
	return table(r, head, rows)
}

// Table is the sparkline's values, one row each.
func (c Sparkline) Table(o Options) template.HTML {
	r := o.resolve(0, 0, "spark")
	if c.Marks() == 0 {
		return table(r, nil, nil)
	}
	var rows [][]cell
	for i, v := range c.Values {
		rows = append(rows, []cell{{text: label(c.Labels, i)}, numCell(r, v)})
	}
	return table(r, []string{c.XTitle, c.ValueTitle}, rows)
}
