#pragma once
// LinkedIn profile URLs in one canonical form, so a lead's `linkedinUrl` and a Person's
// LinkedIn attribute compare equal however either was typed.

#include <optional>
#include <string>
#include <string_view>

namespace las::lemlist {

// Canonical form: `https://linkedin.com` + the profile path, with:
// - any case of http/https, or no scheme (`linkedin.com/in/x`, `//linkedin.com/in/x`);
//   `www.`, country (`fr.`) and mobile (`m.`) hosts; a port; query, fragment, trailing
//   slashes, surrounding whitespace/quotes/brackets and stray trailing punctuation
//   (Lemlist's real Sales Navigator value ends with a comma) all dropped;
// - percent-escapes decoded where that cannot change meaning (unreserved ASCII and UTF-8
//   bytes); other escapes kept, with upper-case hex;
// - member profiles `/in/<slug>` (also `/mwlite/in/<slug>`): sub-pages (`/details/…`,
//   locale `/en`) dropped; the vanity slug lower-cased (LinkedIn treats it
//   case-insensitively, ASCII only) except URN-style member ids (`ACoAA…`, `ACwAA…`), which
//   are case-sensitive tokens and kept as is;
// - Sales Navigator `/sales/lead/<id>,<search>,<token>` and the older `/sales/people/<id>,…`:
//   `/sales/lead/<id>`, the id (the leading run of [A-Za-z0-9_-]) kept case-sensitive: it
//   is a base64url member token, so `ACwAAabc` and `ACwAAABC` are different people;
// - legacy public profiles `/pub/<name>/<a>/<b>/<c>`: lower-cased.
// nullopt for other hosts (`lnkd.in` included: it cannot be resolved offline), other
// schemes, credentials in the URL, whitespace or control characters inside, invalid UTF-8,
// and any path that does not name one member (company pages, feeds, `/profile/view?id=`):
// a URL that does not identify one person must never match one.
std::optional<std::string> normalize_linkedin_url(std::string_view raw);

}  // namespace las::lemlist
