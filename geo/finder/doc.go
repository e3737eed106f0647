// Package finder is the citizens' office finder: the nearest open offices
// offering a service, ordered by travel time plus the wait predicted for
// the hour they are next open (finder.go explains the score). Its spatial
// index lives in memory, loaded from geo/offices and kept current by the
// register's Changes; the predicted waits come from geo/visits' rollups;
// the grades shown are the ranking's.
package finder
