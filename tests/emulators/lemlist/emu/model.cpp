#include "emu/model.hpp"

#include "core/json.hpp"
#include "emu/json_out.hpp"

namespace las::lemlist_emu {

std::string lead::var(std::string_view name) const {
    for (const auto& v : variables) {
        if (v.name != name) continue;
        auto doc = json::parse(v.json);
        if (!doc || !doc->IsString()) return {};
        return std::string(doc->GetString(), doc->GetStringLength());
    }
    return {};
}

void lead::set_var(std::string name, std::string json) {
    for (auto& v : variables) {
        if (v.name == name) {
            v.json = std::move(json);
            return;
        }
    }
    variables.push_back({std::move(name), std::move(json)});
}

void lead::set_string_var(std::string name, std::string_view value) { set_var(std::move(name), json::quoted(value)); }

std::string event::webhook_body(std::string_view secret) const {
    std::string secret_member;
    if (!secret.empty()) secret_member = "\"secret\":" + json::quoted(secret);
    return join_members({fields, variables, secret_member});
}

}  // namespace las::lemlist_emu
