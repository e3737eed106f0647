package api

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/gin-gonic/gin"
)

// dictionary holds the dashboard's words in Persian and English.
func dictionary() map[string][2]string {
	return map[string][2]string{
		"app":                   {"دفتر — سامانه دفاتر خدمات الکترونیک قضائی", "Daftar — judicial e-services offices"},
		"preparing_title":       {"در حال آماده‌سازی داده‌های نمایشی", "Preparing the demo data"},
		"preparing_text":        {"دفتر در نخستین راه‌اندازی داده‌های نمایشی را می‌سازد: ۱٬۲۰۰ دفتر، مراجعه‌ها، نظرسنجی‌ها، داوطلبان، دوره‌های صدور مجوز و رتبه‌بندی. پیشرفت:", "On this first start Daftar is building its demo data: 1,200 offices, visits, surveys, candidates, licensing rounds and rankings. Done:"},
		"preparing_refresh":     {"این صفحه هر چند ثانیه خودبه‌خود تازه می‌شود.", "This page refreshes itself every few seconds."},
		"menu":                  {"منو", "Menu"},
		"home":                  {"خانه", "Home"},
		"offices":               {"دفاتر", "Offices"},
		"my_office":             {"دفتر من", "My office"},
		"logout":                {"خروج", "Sign out"},
		"finder":                {"یافتن دفتر", "Find an office"},
		"sign_in":               {"ورود", "Sign in"},
		"username":              {"نام کاربری", "Username"},
		"password":              {"گذرواژه", "Password"},
		"request_id":            {"شناسه درخواست", "Request id"},
		"admin_home":            {"نمای کلی شبکه دفاتر", "Network overview"},
		"by_province":           {"به تفکیک استان", "By province"},
		"province":              {"استان", "Province"},
		"city":                  {"شهر", "City"},
		"population":            {"جمعیت", "Population"},
		"active_offices":        {"دفاتر فعال", "Active offices"},
		"population_per_office": {"جمعیت به ازای هر دفتر", "Population per office"},
		"search":                {"جستجو", "Search"},
		"all":                   {"همه", "All"},
		"status":                {"وضعیت", "Status"},
		"filter":                {"اعمال", "Filter"},
		"total":                 {"تعداد", "Total"},
		"code":                  {"کد", "Code"},
		"name":                  {"نام", "Name"},
		"counters":              {"باجه‌ها", "Counters"},
		"pages":                 {"صفحه‌ها", "Pages"},
		"previous":              {"قبلی", "Previous"},
		"next":                  {"بعدی", "Next"},
		"page":                  {"صفحه", "Page"},
		"owner":                 {"مدیر دفتر", "Owner"},
		"address":               {"نشانی", "Address"},
		"phone":                 {"تلفن", "Phone"},
		"location":              {"موقعیت", "Location"},
		"opening_hours":         {"ساعات کار", "Opening hours"},
		"closed_day":            {"تعطیل", "Closed"},
		"services":              {"خدمات", "Services"},
		"pending":               {"در انتظار افتتاح", "Pending"},
		"active":                {"فعال", "Active"},
		"suspended":             {"تعلیق", "Suspended"},
		"closed":                {"بسته", "Closed"},
		"offices_total":         {"کل دفاتر", "All offices"},
		"offices_active":        {"دفاتر فعال", "Active offices"},
		"offices_suspended":     {"دفاتر تعلیق‌شده", "Suspended offices"},
		"users_total":           {"کاربران", "Accounts"},
		"sat":                   {"شنبه", "Saturday"},
		"sun":                   {"یکشنبه", "Sunday"},
		"mon":                   {"دوشنبه", "Monday"},
		"tue":                   {"سه‌شنبه", "Tuesday"},
		"wed":                   {"چهارشنبه", "Wednesday"},
		"thu":                   {"پنجشنبه", "Thursday"},
		"fri":                   {"جمعه", "Friday"},
		"bad_credentials":       {"نام کاربری یا گذرواژه نادرست است.", "Wrong username or password."},
		"throttled":             {"تلاش‌های ناموفق زیاد بود؛ چند دقیقه دیگر دوباره تلاش کنید.", "Too many failed attempts; try again in a few minutes."},
		"fill_both":             {"نام کاربری و گذرواژه را وارد کنید.", "Enter your username and password."},
		"not_found_page":        {"پیدا نشد", "Not found"},
		"forbidden_page":        {"دسترسی ندارید", "Not allowed"},
		"error_page":            {"خطا", "Error"},
		"send":                  {"ثبت پاسخ", "Send"},
		"survey_privacy":        {"پاسخ شما بی‌نام ثبت می‌شود و هیچ اطلاعاتی از هویت شما نگه داشته نمی‌شود.", "Your answer is anonymous: nothing that identifies you is kept."},
		"thanks":                {"سپاس از پاسخ شما", "Thank you"},
		"thanks_text":           {"پاسخ شما ثبت شد و به بهبود خدمات دفاتر کمک می‌کند.", "Your answer was recorded and helps improve the offices."},
		"survey_gone":           {"این نظرسنجی دیگر باز نیست", "This survey is closed"},
		"survey_answered":       {"به این نظرسنجی پیش‌تر پاسخ داده شده است.", "This survey has already been answered."},
		"survey_expired":        {"مهلت پاسخ به این نظرسنجی گذشته است.", "The time to answer this survey has passed."},
		"survey_unknown":        {"این پیوند نظرسنجی معتبر نیست.", "This survey link is not valid."},
		"survey_fix":            {"لطفاً پاسخ‌های مشخص‌شده را اصلاح کنید.", "Please correct the marked answers."},
		"survey_slow_down":      {"درخواست‌های زیادی از این نشانی رسیده است؛ کمی بعد دوباره تلاش کنید.", "Too many answers from this address; try again a little later."},
		"yes":                   {"بله", "Yes"},
		"finder_title":          {"نزدیک‌ترین دفتر با کمترین انتظار", "The nearest office with the shortest wait"},
		"finder_help":           {"خدمت مورد نیاز و شهر خود را انتخاب کنید، یا مختصات محل خود را وارد کنید.", "Choose the service and your city, or give your location."},
		"finder_order":          {"به ترتیب فاصله و زمان انتظار پیش‌بینی‌شده در این ساعت", "Ordered by distance and the wait expected at this hour"},
		"finder_bad_place":      {"شهر یا مختصات واردشده معتبر نیست.", "The city or location is not valid."},
		"finder_bad_service":    {"خدمت انتخاب‌شده معتبر نیست.", "The service is not valid."},
		"no_office_found":       {"دفتری با این خدمت در نزدیکی شما پیدا نشد.", "No office offering this service was found near you."},
		"service":               {"خدمت", "Service"},
		"latitude":              {"عرض جغرافیایی", "Latitude"},
		"longitude":             {"طول جغرافیایی", "Longitude"},
		"find":                  {"جستجو", "Find"},
		"office":                {"دفتر", "Office"},
		"distance":              {"فاصله", "Distance"},
		"predicted_wait":        {"انتظار پیش‌بینی‌شده", "Expected wait"},
		"now":                   {"اکنون", "Now"},
		"grade":                 {"رتبه", "Grade"},
		"open":                  {"باز", "Open"},
		"closed_now":            {"بسته", "Closed"},
		"km":                    {"کیلومتر", "km"},
		"minutes":               {"دقیقه", "min"},
		"survey":                {"نظرسنجی", "Survey"},
		"demand":                {"نیاز به دفاتر جدید", "Where new offices are needed"},
		"demand_help":           {"شهرها به ترتیب کمبود؛ برای دیدن ارقام پشت هر عدد، روی نام شهر بزنید.", "Cities by shortage; open a city to see the figures behind its numbers."},
		"window_from":           {"بازدیدها از", "Visits read from"},
		"what_if":               {"اگر دفاتری افزوده شود", "What if offices are added"},
		"city_code":             {"کد شهر", "City code"},
		"offices_to_add":        {"تعداد دفاتر جدید", "Offices to add"},
		"compute":               {"محاسبه", "Compute"},
		"expected_wait":         {"انتظار مورد انتظار (دقیقه)", "Expected wait (min)"},
		"wait_p90":              {"صدک ۹۰ انتظار (دقیقه)", "Wait p90 (min)"},
		"before":                {"اکنون", "Now"},
		"after":                 {"پس از افزودن", "After"},
		"unstable":              {"صف‌ها پایدار نیست: ورودی بیش از ظرفیت باجه‌هاست", "Unstable: arrivals exceed the counters' capacity"},
		"whatif_bad_city":       {"کد شهر شناخته نشد.", "The city code is not known."},
		"licensed_not_open":     {"مجوز صادره، افتتاح‌نشده", "Licensed, not open"},
		"needed":                {"دفاتر لازم", "Needed"},
		"shortage":              {"کمبود", "Shortage"},
		"queueing":              {"صف", "queueing"},
		"accessibility":         {"دسترسی", "accessibility"},
		"download_xlsx":         {"دریافت به صورت اکسل", "Download as Excel"},
		"licensing":             {"دورهای صدور مجوز", "Licensing rounds"},
		"licences":              {"مجوزها", "Licences"},
		"allocation":            {"نتیجهٔ تخصیص", "Allocation"},
		"total_licences":        {"تعداد مجوز", "Licences"},
		"placed":                {"تخصیص‌یافته", "Placed"},
		"unplaced":              {"بدون تخصیص", "Unplaced"},
		"unfilled":              {"ظرفیت خالی", "Unfilled"},
		"issued_licences":       {"مجوز صادره", "Issued"},
		"quota":                 {"سهمیه", "Quota"},
		"overridden":            {"تغییر داده‌شده", "overridden"},
		"no_rounds":             {"هنوز دوری تعریف نشده است.", "No round yet."},
		"allocated":             {"تخصیص‌شده", "Allocated"},
		"licence_issued":        {"صادرشده، افتتاح‌نشده", "Issued, not open"},
		"licence_active":        {"فعال", "Active"},
		"licence_suspended":     {"تعلیق", "Suspended"},
		"licence_revoked":       {"لغوشده", "Revoked"},
		"licence_expired":       {"منقضی", "Expired"},
		"no":                    {"خیر", "No"},
	}
}

// langOf picks the dashboard language: ?lang= wins and is remembered in a
// cookie; Persian is the default.
func (s *Server) langOf(c *gin.Context) string {
	if l := c.Query("lang"); l == "fa" || l == "en" {
		c.SetCookie("daftar_lang", l, 365*24*3600, "/", "", s.cfg.SecureCookies, true)
		return l
	}
	if l, err := c.Cookie("daftar_lang"); err == nil && (l == "fa" || l == "en") {
		return l
	}
	return "fa"
}

// translator returns the word for key in lang, the key itself when missing.
func translator(lang string) func(string) string {
	dict := dictionary()
	for k, v := range ownerWords() {
		dict[k] = v
	}
	i := 0
	if lang == "en" {
		i = 1
	}
	return func(key string) string {
		if w, ok := dict[key]; ok {
			return w[i]
		}
		return key
	}
}

// numberFormatter writes numbers with thousands separators, in Persian
// digits for Persian pages.
func numberFormatter(lang string) func(any) string {
	return func(v any) string {
		// Templates hand over optional figures as pointers.
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return ""
			}
			v = rv.Elem().Interface()
		}
		s := fmt.Sprint(v)
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		intPart, frac, hasFrac := strings.Cut(s, ".")
		var b strings.Builder
		for i, r := range intPart {
			if i > 0 && (len(intPart)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(r)
		}
		out := b.String()
		if hasFrac {
			out += "." + frac
		}
		if neg {
			out = "-" + out
		}
		if lang == "fa" {
			out = strings.NewReplacer(",", "٬", ".", "٫").Replace(daftar.PersianDigits(out))
		}
		return out
	}
}
