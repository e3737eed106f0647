package accounts

import "github.com/daftar-ir/daftar"

// CheckNewUser validates an account before its password is known: the
// username, the full name, and the role with its office. The command line
// calls it so that a mistake is reported before it asks for the password;
// Create checks the same again, and the password too.
func CheckNewUser(in NewUser) error {
	var fe daftar.FieldErrors
	if !usernamePattern.MatchString(NormalizeUsername(in.Username)) {
		fe.Add("username", "invalid", "3-64 characters: lowercase latin letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if len([]rune(daftar.NormalizeText(in.FullName))) > 200 {
		fe.Add("full_name", "too_long", "must be at most 200 characters")
	}
	validateRoleOffice(&fe, in.Role, in.OfficeID)
	return fe.Err(daftar.KindInvalid, "invalid_user", "the account is not valid")
}
