// Package surveys asks every citizen served how it went: versioned
// templates (template.go), one single-use invitation per served visit with
// its link and, when the visit came with a mobile number, a text message
// queued in the outbox (service.go, outbox.go), anonymous responses
// (service.go), stuffing signals that leave a response out of the figures
// until staff overrule them (signals.go), and honest figures per office
// and period, withheld below the minimum number of responses (figures.go,
// stats.go). What must not stay (the mobile numbers of invitations that
// can no longer be used, the hashed client addresses of older responses) is
// forgotten on a schedule (Forget).
//
// History made elsewhere, such as the demo's, comes in through one bulk
// method, LoadHistory (history.go).
package surveys
