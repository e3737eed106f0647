// Package daftar holds the vocabulary every part of Daftar shares: the error
// kinds that the API maps to HTTP, the actor and roles carried in a context,
// the clock, Jalali dates and periods, and the normalisation of Persian input.
//
// It imports nothing from the rest of the module, so every other package can
// import it.
package daftar
