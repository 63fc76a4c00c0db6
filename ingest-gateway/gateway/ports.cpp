#include "gateway/ports.hpp"

#include "gateway/spool_message.hpp"

namespace las::gateway {

void message_spool::append(const amqp::publish_request& message, std::function<void(append_status)> done) {
    spool_.append(encode_message(message), std::move(done));
}

}  // namespace las::gateway
