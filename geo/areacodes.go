package geo

// The landline area code of each province (without the leading 0): a
// Tehran number is 021 followed by eight digits. Offices' phone numbers
// are landlines of their province.
var areaCodes = map[string]string{
	"THR": "21", "KRZ": "51", "ISF": "31", "FAR": "71", "KHZ": "61", "EAZ": "41", "MAZ": "11", "WAZ": "44",
	"KER": "34", "SIS": "54", "ALB": "26", "GIL": "13", "KSH": "83", "GOL": "17", "HRM": "76", "LOR": "66",
	"HAM": "81", "KRD": "87", "MRK": "86", "QOM": "25", "QAZ": "28", "ARD": "45", "BUS": "77", "YAZ": "35",
	"ZAN": "24", "CMB": "38", "NKH": "58", "SKH": "56", "KBA": "74", "SEM": "23", "ILM": "84",
}

// AreaCode returns a province's landline area code with its leading 0
// ("021" for Tehran).
func AreaCode(province string) (string, bool) {
	c, ok := areaCodes[province]
	if !ok {
		return "", false
	}
	return "0" + c, true
}
