#pragma once
// `Retry-After` comes in both RFC 9110 forms: Lemlist sends seconds ("2"), Attio an
// HTTP-date ("Tue, 23 May 2023 14:42:01 GMT"). Both become a wait from `now`.

#include <chrono>
#include <optional>
#include <string_view>

namespace las {

// The wait the header asks for, never negative (a date in the past means "now"); nullopt
// when the value is neither form.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); also accepts the obsolete RFC 850 and
// asctime forms, as RFC 9110 asks recipients to.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value);
std::string format_http_date(std::chrono::system_clock::time_point t);

}  // namespace las
