#include "amqp/connection.hpp"

#include <amqp_tcp_socket.h>

#include <algorithm>
#include <array>
#include <utility>

namespace las::amqp {
namespace {

timeval to_timeval(std::chrono::milliseconds d) {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(d.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((d.count() % 1000) * 1000);
    return tv;
}

amqp_bytes_t bytes_of(std::string_view s) {
    return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

// A graceful close must not hold a shutdown hostage: a couple of seconds at most.
constexpr std::chrono::milliseconds close_budget{2000};

}  // namespace

std::string reply_text(const amqp_bytes_t& bytes) {
    return std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

std::string library_error_text(int library_status) { return amqp_error_string2(library_status); }

result<connection, error> connection::open(const connection_settings& settings, std::string_view connection_name) {
    const std::string where = settings.host + ":" + std::to_string(settings.port);
    amqp_connection_state_t state = amqp_new_connection();
    if (state == nullptr) {
        return fail(error{error_scope::connection, 0, AMQP_STATUS_NO_MEMORY, "amqp_new_connection failed"});
    }
    amqp_socket_t* socket = amqp_tcp_socket_new(state);
    if (socket == nullptr) {
        amqp_destroy_connection(state);
        return fail(error{error_scope::connection, 0, AMQP_STATUS_NO_MEMORY, "amqp_tcp_socket_new failed"});
    }
    timeval tv = to_timeval(settings.connect_timeout);
    const int rc = amqp_socket_open_noblock(socket, settings.host.c_str(), settings.port, &tv);
    if (rc != AMQP_STATUS_OK) {
        amqp_destroy_connection(state);
        return fail(error{error_scope::connection, 0, rc, "connect to " + where + " failed: " + library_error_text(rc)});
    }
    connection conn(state, settings);

    // Capabilities we depend on; the broker only sends basic.cancel and connection.blocked
    // to clients that advertise them.
    std::array<amqp_table_entry_t, 3> capabilities{};
    capabilities[0].key = amqp_cstring_bytes("consumer_cancel_notify");
    capabilities[1].key = amqp_cstring_bytes("connection.blocked");
    capabilities[2].key = amqp_cstring_bytes("authentication_failure_close");
    for (auto& c : capabilities) {
        c.value.kind = AMQP_FIELD_KIND_BOOLEAN;
        c.value.value.boolean = 1;
    }
    std::array<amqp_table_entry_t, 3> properties{};
    properties[0].key = amqp_cstring_bytes("capabilities");
    properties[0].value.kind = AMQP_FIELD_KIND_TABLE;
    properties[0].value.value.table = amqp_table_t{static_cast<int>(capabilities.size()), capabilities.data()};
    properties[1].key = amqp_cstring_bytes("connection_name");
    properties[1].value.kind = AMQP_FIELD_KIND_UTF8;
    properties[1].value.value.bytes = bytes_of(connection_name);
    properties[2].key = amqp_cstring_bytes("product");
    properties[2].value.kind = AMQP_FIELD_KIND_UTF8;
    properties[2].value.value.bytes = amqp_cstring_bytes("lemlist-attio-sync");
    const amqp_table_t client_properties{static_cast<int>(properties.size()), properties.data()};

    const auto heartbeat = static_cast<int>(std::clamp<long long>(settings.heartbeat.count(), 0, 65535));
    status login = ok();
    {
        const auto guard = conn.deadline(settings.connect_timeout);
        const amqp_rpc_reply_t reply =
            amqp_login_with_properties(state, settings.vhost.c_str(), 0, static_cast<int>(settings.frame_max), heartbeat,
                                       &client_properties, AMQP_SASL_METHOD_PLAIN, settings.user.c_str(),
                                       settings.password.c_str());
        login = conn.check(reply, 0, "login as '" + settings.user + "' to vhost '" + settings.vhost + "' on " + where);
        if (!login && guard.expired()) login.error().message += " (handshake deadline passed)";
    }
    if (!login) return fail(login.error());
    return conn;
}

connection::connection(amqp_connection_state_t state, const connection_settings& settings)
    : state_(state), settings_(settings) {}

connection::connection(connection&& other) noexcept
    : state_(std::exchange(other.state_, nullptr)),
      settings_(std::move(other.settings_)),
      channels_(other.channels_),
      dead_(other.dead_),
      last_error_(std::move(other.last_error_)) {}

connection& connection::operator=(connection&& other) noexcept {
    if (this != &other) {
        close();
        state_ = std::exchange(other.state_, nullptr);
        settings_ = std::move(other.settings_);
        channels_ = other.channels_;
        dead_ = other.dead_;
        last_error_ = std::move(other.last_error_);
    }
    return *this;
}

connection::~connection() { close(); }

void connection::close() {
    if (state_ == nullptr) return;
    if (!dead_) {
        const auto guard = deadline(std::min(settings_.io_timeout, close_budget));
        amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    }
    destroy();
}

void connection::destroy() noexcept {
    if (state_ != nullptr) amqp_destroy_connection(state_);  // also closes the socket
    state_ = nullptr;
    channels_.reset();
}

std::chrono::seconds connection::heartbeat() const {
    return std::chrono::seconds(state_ != nullptr ? amqp_get_heartbeat(state_) : 0);
}

int connection::fd() const noexcept { return state_ != nullptr ? amqp_get_sockfd(state_) : -1; }

error connection::dead_error(std::string_view what) const {
    if (dead_) {
        error e = last_error_;
        e.message = std::string(what) + ": connection already dead (" + last_error_.message + ")";
        return e;
    }
    return error{error_scope::connection, 0, AMQP_STATUS_CONNECTION_CLOSED, std::string(what) + ": connection closed"};
}

bool connection::channel_open(amqp_channel_t channel) const noexcept {
    return alive() && channel < channels_.size() && channels_[channel];
}

result<amqp_channel_t, error> connection::open_channel() {
    if (!alive()) return fail(dead_error("channel.open"));
    amqp_channel_t id = 1;
    while (id < channels_.size() && channels_[id]) ++id;
    if (id >= channels_.size()) {
        return fail(error{error_scope::channel, 0, AMQP_STATUS_INVALID_PARAMETER, "channel.open: no free channel id"});
    }
    {
        const auto guard = deadline();
        amqp_channel_open(state_, id);
    }
    auto st = check_last_rpc(id, "channel.open");
    if (!st) return fail(st.error());
    channels_.set(id);
    return id;
}

status connection::close_channel(amqp_channel_t channel) {
    if (!channel_open(channel)) {
        if (channel < channels_.size()) channels_.reset(channel);
        return ok();
    }
    amqp_rpc_reply_t reply;
    {
        const auto guard = deadline(std::min(settings_.io_timeout, close_budget));
        reply = amqp_channel_close(state_, channel, AMQP_REPLY_SUCCESS);
    }
    channels_.reset(channel);
    return check(reply, channel, "channel.close");
}

status connection::confirm_select(amqp_channel_t channel) {
    if (!alive()) return fail(dead_error("confirm.select"));
    {
        const auto guard = deadline();
        amqp_confirm_select(state_, channel);
    }
    return check_last_rpc(channel, "confirm.select");
}

status connection::qos(amqp_channel_t channel, std::uint16_t prefetch) {
    if (!alive()) return fail(dead_error("basic.qos"));
    {
        const auto guard = deadline();
        amqp_basic_qos(state_, channel, 0, prefetch, 0);
    }
    return check_last_rpc(channel, "basic.qos");
}

status connection::check_last_rpc(amqp_channel_t channel, std::string_view what) {
    if (state_ == nullptr) return fail(dead_error(what));
    return check(amqp_get_rpc_reply(state_), channel, what);
}

status connection::check(amqp_rpc_reply_t reply, amqp_channel_t channel, std::string_view what) {
    if (dead_ || state_ == nullptr) return fail(dead_error(what));
    switch (reply.reply_type) {
        case AMQP_RESPONSE_NORMAL:
            return ok();
        case AMQP_RESPONSE_NONE:
            return fail(fail_connection(AMQP_STATUS_UNEXPECTED_STATE, std::string(what) + ": no RPC reply"));
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            return fail(fail_connection(reply.library_error, what));
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD && reply.reply.decoded != nullptr) {
                return fail(on_connection_close(*static_cast<const amqp_connection_close_t*>(reply.reply.decoded), what));
            }
            if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD && reply.reply.decoded != nullptr) {
                return fail(on_channel_close(channel, *static_cast<const amqp_channel_close_t*>(reply.reply.decoded), what));
            }
            return fail(fail_connection(AMQP_STATUS_WRONG_METHOD, std::string(what) + ": unexpected server reply"));
    }
    return fail(fail_connection(AMQP_STATUS_UNEXPECTED_STATE, std::string(what) + ": unknown reply type"));
}

error connection::fail_connection(int library_status, std::string_view what) {
    error e{error_scope::connection, 0, library_status, std::string(what) + ": " + library_error_text(library_status)};
    if (!dead_) {
        dead_ = true;
        last_error_ = e;
    }
    return e;
}

error connection::on_channel_close(amqp_channel_t channel, const amqp_channel_close_t& close, std::string_view what) {
    error e{error_scope::channel, close.reply_code, 0,
            std::string(what) + ": channel " + std::to_string(channel) + " closed by the broker: " +
                std::to_string(close.reply_code) + " " + reply_text(close.reply_text)};
    if (channel < channels_.size()) channels_.reset(channel);
    if (alive()) {
        amqp_channel_close_ok_t close_ok{};
        const auto guard = deadline();
        const int rc = amqp_send_method(state_, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
        if (rc != AMQP_STATUS_OK) fail_connection(rc, "channel.close-ok");
    }
    return e;
}

error connection::on_connection_close(const amqp_connection_close_t& close, std::string_view what) {
    error e{error_scope::connection, close.reply_code, 0,
            std::string(what) + ": connection closed by the broker: " + std::to_string(close.reply_code) + " " +
                reply_text(close.reply_text)};
    if (alive()) {
        amqp_connection_close_ok_t close_ok{};
        const auto guard = deadline(std::min(settings_.io_timeout, close_budget));
        amqp_send_method(state_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &close_ok);
    }
    if (!dead_) {
        dead_ = true;
        last_error_ = e;
    }
    channels_.reset();
    return e;
}

}  // namespace las::amqp
