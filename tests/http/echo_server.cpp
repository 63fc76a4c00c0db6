// A trivial las::http::server for load tests: `http_echo_server [port] [threads]`, then e.g.
//   wrk -t2 -c64 -d5s http://127.0.0.1:8088/
// GET answers "ok"; any request with a body gets the body back. Stops on SIGINT/SIGTERM.

#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "core/log.hpp"
#include "http/server.hpp"

int main(int argc, char** argv) {
    using namespace las::http;
    const unsigned short port = argc > 1 ? static_cast<unsigned short>(std::stoi(argv[1])) : 8088;
    const int threads = argc > 2 ? std::max(1, std::stoi(argv[2])) : 2;

    las::asio::io_context ioc(threads);
    server srv(ioc, las::tcp::endpoint(las::asio::ip::make_address("127.0.0.1"), port), server_limits{},
               [](request& req, const request_info&) -> las::awaitable<response> {
                   co_return make_response(req, las::http_proto::status::ok,
                                           req.body().empty() ? std::string("ok") : std::move(req.body()),
                                           "text/plain");
               });
    srv.start();
    las::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) { srv.stop(); });
    las::log::info("echo_server.listening", {{"port", srv.local_endpoint().port()}, {"threads", threads}});

    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    return 0;
}
