// Package inspections keeps the offices' inspections: what an inspector
// found at an office, the checklists they inspect against, the corrective
// actions a failed item calls for, the assignments that plan the visits and
// the risk worklist they are planned from. It owns the inspections tables;
// the ranking reads each office's findings through FindingsBetween.
package inspections
