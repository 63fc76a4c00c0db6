#pragma once
// The sync-worker subcommands as plain functions (settings in, exit code out), so main.cpp
// only parses the command line. Each prints what it did on stdout; logs go to stderr.

#include <string>
#include <vector>

#include "tools/runtime.hpp"

namespace las::tools {

int provision_command(runtime& rt, bool dry_run, bool verbose);
int subscriptions_sync_command(runtime& rt, bool dry_run);
int subscriptions_list_command(runtime& rt);

}  // namespace las::tools
