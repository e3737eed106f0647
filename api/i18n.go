package api

import (
	"fmt"
	"maps"
	"reflect"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/gin-gonic/gin"
)

// dictionary holds every page's words in Persian and English: the shared
// words and the staff workbench's, whose keys never overlap (a test checks).
func dictionary() map[string][2]string {
	d := sharedDictionary()
	maps.Copy(d, staffDictionary())
	maps.Copy(d, staffWorkDictionary())
	return d
}

// sharedDictionary holds the words of the public, owner and shared pages.
func sharedDictionary() map[string][2]string {
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

		// Complaints.
		"complaint":                            {"ثبت شکایت", "File a complaint"},
		"complaint_title":                      {"شکایت از دفتر خدمات الکترونیک قضائی", "Complain about an office"},
		"complaint_intro":                      {"برای ثبت شکایت به ثبت‌نام نیاز نیست. پس از ثبت، کد پیگیری می‌گیرید و با آن نتیجه را می‌بینید.", "No account is needed. After filing you get a tracking code to follow the case."},
		"complaint_office_code":                {"کد دفتر", "Office code"},
		"complaint_office_help":                {"کد دفتر روی رسید و تابلوی دفتر نوشته شده است.", "The office's code is on your receipt and on the office's sign."},
		"complaint_visit_day":                  {"مراجعه در", "visit on"},
		"complaint_category":                   {"موضوع شکایت", "What is it about"},
		"complaint_service_none":               {"— خدمت را انتخاب کنید (اختیاری) —", "— choose the service (optional) —"},
		"complaint_fee":                        {"تعرفه رسمی", "Official fee of"},
		"complaints_queue":                     {"صف شکایات", "Complaints queue"},
		"complaints_queue_help":                {"به ترتیب نزدیک‌ترین مهلت؛ اقدام روی هر پرونده از راه رابط برنامه‌نویسی انجام می‌شود.", "Soonest deadline first; steps on a case are taken through the API."},
		"complaints_overdue_only":              {"فقط گذشته از مهلت", "Overdue only"},
		"complaints_late_by":                   {"تأخیر", "late by"},
		"complaints_working_days":              {"روز کاری", "working days"},
		"complaints_escalated":                 {"پیگیری ویژه", "escalated"},
		"office_complaints":                    {"شکایات از دفتر", "Complaints about the office"},
		"office_complaints_help":               {"پاسخ دفتر به هر شکایت از راه رابط برنامه‌نویسی ثبت می‌شود؛ اطلاعات تماس شاکی هرگز نشان داده نمی‌شود.", "The office answers a complaint through the API (the reply action); the citizen's contact is never shown."},
		"office_no_complaints":                 {"شکایتی ثبت نشده است.", "No complaint has been filed."},
		"office_reply":                         {"پاسخ دفتر", "Office's reply"},
		"complaint_fee_col":                    {"تعرفه رسمی", "Official fee"},
		"complaint_fee_table":                  {"تعرفه رسمی همه خدمات", "Official fees of every service"},
		"complaint_resolved_at":                {"زمان رسیدگی", "Decided on"},
		"complaint_fee_help":                   {"تعرفه رسمی هر خدمت کنار نام آن آمده است؛ اگر بیش از آن از شما گرفته‌اند، «دریافت وجه اضافه» را انتخاب کنید.", "Each service shows its official fee; if you were charged more, choose “Extra fee charged”."},
		"rials":                                {"ریال", "rials"},
		"complaint_amount":                     {"مبلغ پرداختی (ریال)", "Amount paid (rials)"},
		"complaint_amount_help":                {"برای شکایت از دریافت وجه اضافه لازم است.", "Required for an extra-fee complaint."},
		"complaint_description":                {"شرح ماجرا", "What happened"},
		"complaint_description_help":           {"حداکثر ۲۰۰۰ نویسه. کد ملی یا شماره تلفن ننویسید؛ اگر بنویسید پوشانده می‌شود.", "At most 2,000 characters. Do not write national codes or phone numbers; they are masked if you do."},
		"complaint_mobile":                     {"شماره همراه (اختیاری)", "Mobile number (optional)"},
		"complaint_mobile_help":                {"فقط برای خبر دادن نتیجه به شما؛ به دفتر نشان داده نمی‌شود.", "Only to tell you the outcome; never shown to the office."},
		"complaint_submit":                     {"ثبت شکایت", "File the complaint"},
		"complaint_fix":                        {"لطفاً موارد مشخص‌شده را اصلاح کنید؛ آنچه نوشته بودید حفظ شده است.", "Please correct the marked fields; what you typed is kept."},
		"complaint_filed":                      {"شکایت شما ثبت شد", "Your complaint was filed"},
		"complaint_code":                       {"کد پیگیری", "Tracking code"},
		"complaint_keep_code":                  {"این کد را یادداشت کنید؛ با آن می‌توانید وضعیت شکایت را ببینید.", "Write this code down: it shows where your complaint stands."},
		"complaint_due":                        {"مهلت رسیدگی", "To be decided by"},
		"complaint_filed_at":                   {"زمان ثبت", "Filed"},
		"complaint_track":                      {"پیگیری شکایت", "Follow a complaint"},
		"complaint_track_help":                 {"کد پیگیری ده‌نویسه‌ای را که هنگام ثبت شکایت گرفتید وارد کنید.", "Enter the ten-symbol code you got when filing."},
		"complaint_show":                       {"نمایش", "Show"},
		"complaint_not_found":                  {"شکایتی با این کد پیدا نشد؛ کد را دوباره بررسی کنید.", "No complaint has this code; check it again."},
		"complaint_slow_down":                  {"درخواست‌های زیادی از این نشانی رسیده است؛ کمی بعد دوباره تلاش کنید.", "Too many requests from this address; try again a little later."},
		"complaint_cross_site":                 {"این فرم باید از صفحهٔ خود سامانه فرستاده شود.", "This form must be sent from Daftar's own page."},
		"complaint_state":                      {"وضعیت", "State"},
		"complaint_outcome":                    {"نتیجه", "Outcome"},
		"complaint_note":                       {"توضیح", "Note"},
		"complaint_history":                    {"روند رسیدگی", "History"},
		"complaint_overdue":                    {"مهلت رسیدگی گذشته و پرونده برای پیگیری علامت خورده است.", "The deadline has passed and the case has been flagged."},
		"thanks_complaint":                     {"اگر در این مراجعه مشکلی داشتید (مانند دریافت وجه اضافه)، می‌توانید شکایت ثبت کنید.", "If something went wrong at this visit (such as an extra fee), you can file a complaint."},
		"cs_new":                               {"ثبت‌شده، در انتظار بررسی", "Filed, awaiting review"},
		"cs_triaged":                           {"بررسی اولیه شد", "Reviewed"},
		"cs_assigned":                          {"به بازرس سپرده شد", "Assigned to an inspector"},
		"cs_investigating":                     {"در حال رسیدگی", "Under investigation"},
		"cs_resolved":                          {"رسیدگی شد", "Decided"},
		"cs_closed":                            {"بسته شد", "Closed"},
		"cs_reopened":                          {"دوباره بررسی می‌شود", "Reopened"},
		"co_upheld":                            {"شکایت وارد است", "Upheld"},
		"co_not_upheld":                        {"شکایت وارد نیست", "Not upheld"},
		"cf_code_required":                     {"کد دفتر را وارد کنید.", "Enter the office's code."},
		"cf_code_unknown_office":               {"دفتری با این کد پیدا نشد.", "No office has this code."},
		"cf_code_office_mismatch":              {"این کد با دفتر این پیوند یکی نیست.", "This code is for another office."},
		"cf_office_id_unknown_office":          {"این دفتر پیدا نشد.", "This office was not found."},
		"cf_office_id_office_mismatch":         {"پیوند نظرسنجی برای دفتر دیگری است.", "The survey link is for another office."},
		"cf_category_required":                 {"موضوع شکایت را انتخاب کنید.", "Choose what the complaint is about."},
		"cf_category_unknown_category":         {"موضوع انتخاب‌شده معتبر نیست.", "The chosen subject is not valid."},
		"cf_service_unknown_service":           {"خدمت انتخاب‌شده معتبر نیست.", "The chosen service is not valid."},
		"cf_amount_paid_rials_required":        {"برای شکایت از وجه اضافه، مبلغی را که پرداختید به ریال بنویسید.", "For an extra fee, write the amount you paid, in rials."},
		"cf_amount_paid_rials_invalid_amount":  {"مبلغ باید عددی صحیح و بیشتر از صفر، به ریال، باشد.", "The amount must be a whole number of rials above zero."},
		"cf_description_required":              {"شرح ماجرا را بنویسید.", "Describe what happened."},
		"cf_description_description_too_short": {"شرح ماجرا دست‌کم باید ۱۰ نویسه باشد.", "The description needs at least 10 characters."},
		"cf_description_description_too_long":  {"شرح ماجرا حداکثر ۲۰۰۰ نویسه است.", "The description may have at most 2,000 characters."},
		"cf_mobile_invalid_mobile":             {"شماره همراه باید مانند ۰۹۱۲۱۲۳۴۵۶۷ باشد.", "The mobile number must look like 09121234567."},
		"cf_survey_token_unknown_survey_token": {"این پیوند نظرسنجی معتبر نیست؛ کد دفتر را وارد کنید.", "This survey link is not valid; enter the office's code."},
		// Error pages (hardening): a title and a sentence for each status.
		"error_400":      {"درخواست نادرست است", "Bad request"},
		"error_400_text": {"نشانی یا اطلاعات فرستاده‌شده معتبر نیست. آن را بررسی کنید و دوباره تلاش کنید.", "The address or the data sent is not valid. Check it and try again."},
		"error_401":      {"نیاز به ورود", "Sign in first"},
		"error_401_text": {"برای دیدن این صفحه ابتدا وارد سامانه شوید.", "Sign in to see this page."},
		"error_403":      {"دسترسی ندارید", "Not allowed"},
		"error_403_text": {"نقش شما اجازهٔ دیدن این صفحه یا انجام این کار را نمی‌دهد.", "Your role may not see this page or do this."},
		"error_404":      {"پیدا نشد", "Not found"},
		"error_404_text": {"صفحه یا موردی که خواستید وجود ندارد.", "The page or record you asked for does not exist."},
		"error_405":      {"این روش پذیرفته نیست", "Method not allowed"},
		"error_405_text": {"این نشانی با این روش درخواست کار نمی‌کند.", "This address does not take that kind of request."},
		"error_409":      {"تعارض", "Conflict"},
		"error_409_text": {"این مورد در این میان تغییر کرده یا در وضعیتی است که این کار را نمی‌پذیرد. صفحه را تازه کنید.", "The record changed meanwhile or its state does not allow this. Reload the page."},
		"error_410":      {"دیگر در دسترس نیست", "Gone"},
		"error_410_text": {"این مورد دیگر در دسترس نیست.", "This is no longer available."},
		"error_413":      {"حجم بیش از اندازه", "Too large"},
		"error_413_text": {"حجم فایل یا اطلاعات فرستاده‌شده بیش از حد مجاز است.", "The file or data sent is larger than allowed."},
		"error_422":      {"پذیرفته نشد", "Not accepted"},
		"error_422_text": {"اطلاعات فرستاده‌شده با قواعد سامانه جور نیست.", "The data sent does not meet the rules."},
		"error_429":      {"درخواست‌های بیش از حد", "Too many requests"},
		"error_429_text": {"درخواست‌های زیادی رسیده است؛ کمی بعد دوباره تلاش کنید.", "Too many requests; try again a little later."},
		"error_500":      {"خطای سامانه", "Internal error"},
		"error_500_text": {"خطایی در سامانه رخ داد و ثبت شد. اگر تکرار شد، شناسهٔ درخواست را به پشتیبانی بدهید.", "Something went wrong and was logged. If it happens again, give support the request id."},
		"error_503":      {"سامانه موقتاً در دسترس نیست", "Temporarily unavailable"},
		"error_503_text": {"سامانه موقتاً پاسخ نمی‌دهد؛ چند دقیقه دیگر دوباره تلاش کنید.", "Daftar is not answering for now; try again in a few minutes."},
		"error_code":     {"کد خطا", "Error code"},
		// The owners' comment rule (hardening), for every page that shows survey comments to an owner.
		"comments_rule": {"برای حفظ بی‌نامی مراجعان، نظرها فقط برای ماه یا فصلی نشان داده می‌شوند که به پایان رسیده و به حداقل پاسخ لازم (به‌طور پیش‌فرض ۱۰ پاسخ) رسیده است؛ بدون تاریخ، امتیاز یا شمارهٔ نوبت و به ترتیب تصادفی.", "To keep citizens anonymous, comments show only for a month or quarter that has ended with at least the minimum number of answers (10 by default): without day, score or ticket, in random order."},
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
