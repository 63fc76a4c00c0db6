#pragma once
// Test helpers: the real Lemlist payload samples under tests/fixtures/lemlist-samples.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <rapidjson/document.h>

#include "core/json.hpp"

namespace las::test {

inline std::string read_sample(const std::string& relative_path) {
    const std::string path = std::string(LAS_SAMPLES_DIR) + "/" + relative_path;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open sample " + path);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

inline rapidjson::Document parse_or_throw(std::string_view text) {
    auto doc = json::parse(text);
    if (!doc) throw std::runtime_error("test JSON does not parse: " + doc.error().message);
    return std::move(doc).value();
}

}  // namespace las::test
