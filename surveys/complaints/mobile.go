package complaints

import (
	"crypto/rand"
	"errors"
)

// A citizen's mobile number is sealed with AES-256-GCM (random 96-bit
// nonce) bound to the complaint's tracking code, so a ciphertext copied to
// another row does not open. Only the notices of the case open it.

const nonceSize = 12

func mobileAAD(code string) []byte { return []byte("daftar/complaint-mobile/" + code) }

func (s *Service) sealMobile(mobile, code string) ([]byte, error) {
	nonce := make([]byte, nonceSize, nonceSize+len(mobile)+s.mobiles.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.mobiles.Seal(nonce, nonce, []byte(mobile), mobileAAD(code)), nil
}

func (s *Service) openMobile(enc []byte, code string) (string, error) {
	if len(enc) < nonceSize+s.mobiles.Overhead() {
		return "", errors.New("complaints: stored mobile number is too short")
	}
	plain, err := s.mobiles.Open(nil, enc[:nonceSize], enc[nonceSize:], mobileAAD(code))
	if err != nil {
		return "", errors.New("complaints: stored mobile number does not decrypt")
	}
	return string(plain), nil
}
