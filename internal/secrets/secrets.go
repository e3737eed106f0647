// Package secrets derives the purpose-bound keys Daftar uses from the one
// configured secret (DAFTAR_SECRET), so that no key serves two purposes.
package secrets

import (
	"crypto/hmac"
	"crypto/sha256"
)

// Purposes of derived keys. Changing a name changes the key: data keyed or
// encrypted under the old one can no longer be read.
const (
	NationalCodeHash    = "daftar/v1/national-code-hmac"
	NationalCodeEncrypt = "daftar/v1/national-code-aes-gcm"
	SurveyClient        = "daftar/v1/survey-client"
	ComplaintMobile     = "daftar/v1/complaint-mobile-aes-gcm"
)

// Derive returns a 32-byte key for purpose: HMAC-SHA256(secret, purpose),
// a sound key derivation when the secret itself has full entropy.
func Derive(secret, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
