package licensing

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"

	"github.com/daftar-ir/daftar"
)

// NationalCodes protects national codes at rest. A national code has little
// entropy (a billion values), so a plain hash would be reversed by brute
// force; Daftar keeps instead
//   - an HMAC-SHA256 keyed hash, for lookups and "one candidate per exam year";
//   - the masked form (******1234), for display;
//   - an AES-256-GCM ciphertext (random 96-bit nonce, the keyed hash as
//     associated data), which only an admin's audited reveal opens.
//
// Both keys come from the configured secret through internal/secrets, each
// bound to its purpose.
type NationalCodes struct {
	hashKey []byte
	aead    cipher.AEAD
}

const nonceSize = 12

// NewNationalCodes takes the HMAC key and the 32-byte AES-256 key.
func NewNationalCodes(hashKey, encKey []byte) (*NationalCodes, error) {
	if len(hashKey) < 32 {
		return nil, errors.New("licensing: the national-code hash key must have at least 32 bytes")
	}
	if len(encKey) != 32 {
		return nil, errors.New("licensing: the national-code encryption key must have 32 bytes (AES-256)")
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &NationalCodes{hashKey: append([]byte(nil), hashKey...), aead: aead}, nil
}

// Hash returns the keyed hash (hex) of a normalised, valid national code.
func (n *NationalCodes) Hash(code string) string { return n.hasher().hash(code) }

// Lookup normalises and checks a national code typed by a person and returns
// its keyed hash.
func (n *NationalCodes) Lookup(code string) (string, error) {
	c, err := daftar.NormalizeNationalCode(code)
	if err != nil {
		return "", err
	}
	if !daftar.ValidNationalCode(c) {
		return "", daftar.Invalid("invalid_national_code", "the national code's check digit is wrong")
	}
	return n.Hash(c), nil
}

// codeHasher computes keyed hashes with one reusable HMAC state; not safe
// for concurrent use (each import goroutine has its own).
type codeHasher struct {
	mac hash.Hash
	sum []byte
	hex []byte
}

func (n *NationalCodes) hasher() *codeHasher {
	return &codeHasher{mac: hmac.New(sha256.New, n.hashKey), sum: make([]byte, 0, sha256.Size), hex: make([]byte, 2*sha256.Size)}
}

func (h *codeHasher) hash(code string) string {
	h.mac.Reset()
	h.mac.Write([]byte(code))
	h.sum = h.mac.Sum(h.sum[:0])
	hex.Encode(h.hex, h.sum)
	return string(h.hex)
}

func codeAAD(hashHex string) []byte { return []byte("daftar/candidate-national-code/" + hashHex) }

// seal encrypts code bound to its keyed hash: nonce || ciphertext || tag.
func (n *NationalCodes) seal(code, hashHex string, nonce []byte) []byte {
	out := make([]byte, nonceSize, nonceSize+len(code)+n.aead.Overhead())
	copy(out, nonce)
	return n.aead.Seal(out, nonce, []byte(code), codeAAD(hashHex))
}

// Seal encrypts a normalised national code with a fresh random nonce.
func (n *NationalCodes) Seal(code string) (hashHex string, enc []byte, err error) {
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, err
	}
	hashHex = n.Hash(code)
	return hashHex, n.seal(code, hashHex, nonce), nil
}

// Open decrypts a stored national code and checks that it still matches its
// keyed hash (a ciphertext moved to another row does not open).
func (n *NationalCodes) Open(enc []byte, hashHex string) (string, error) {
	if len(enc) < nonceSize+n.aead.Overhead() {
		return "", errors.New("licensing: stored national code is too short")
	}
	plain, err := n.aead.Open(nil, enc[:nonceSize], enc[nonceSize:], codeAAD(hashHex))
	if err != nil {
		return "", fmt.Errorf("licensing: stored national code does not decrypt: %w", err)
	}
	code := string(plain)
	if !hmac.Equal([]byte(n.Hash(code)), []byte(hashHex)) {
		return "", errors.New("licensing: stored national code does not match its hash")
	}
	return code, nil
}

// sealBlob encrypts other protected data (the cells of refused rows, which
// carry national codes) under the same key, bound to aad.
func (n *NationalCodes) sealBlob(plain, aad []byte) ([]byte, error) {
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := make([]byte, nonceSize, nonceSize+len(plain)+n.aead.Overhead())
	copy(out, nonce)
	return n.aead.Seal(out, nonce, plain, aad), nil
}

func (n *NationalCodes) openBlob(enc, aad []byte) ([]byte, error) {
	if len(enc) < nonceSize+n.aead.Overhead() {
		return nil, errors.New("licensing: stored blob is too short")
	}
	return n.aead.Open(nil, enc[:nonceSize], enc[nonceSize:], aad)
}

// nonces hands out random GCM nonces read from crypto/rand in large chunks,
// so that sealing 200,000 codes does not cost 200,000 reads of the system's
// random source. Not safe for concurrent use.
type nonces struct {
	buf []byte
	off int
}

func (s *nonces) next() ([]byte, error) {
	if s.off+nonceSize > len(s.buf) {
		if s.buf == nil {
			s.buf = make([]byte, nonceSize*4096)
		}
		if _, err := rand.Read(s.buf); err != nil {
			return nil, err
		}
		s.off = 0
	}
	n := s.buf[s.off : s.off+nonceSize : s.off+nonceSize]
	s.off += nonceSize
	return n, nil
}
