// physec config show <command>: the effective, commented config, which -c accepts back unchanged.
#include <fmt/format.h>

#include "cli.hpp"
#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/strings.hpp"

namespace physec::app {

void register_config_command(CLI::App& app) {
  auto* cfg = app.add_subcommand("config", "inspect configurations");
  cfg->require_subcommand(1);
  auto* show = cfg->add_subcommand(
      "show", "print the effective config of a command (defaults, then -c, then --set), as commented TOML");
  struct state {
    std::vector<std::string> words;
    std::string command;
    std::string write_to;
    common_options opts;
  };
  auto st = std::make_shared<state>();
  std::vector<std::string> names;
  for (const auto& [name, entry] : config_registry()) names.push_back(name);
  show->add_option("command", st->words, "one of: " + join(names, ", "))->required()->expected(1, 2);
  add_common_options(*show, st->opts, ".");
  show->add_option("-o,--output", st->write_to, "write to this file instead of stdout");
  show->callback([st] {
    st->command = join(st->words, " ");
    auto& reg = config_registry();
    auto it = reg.find(st->command);
    if (it == reg.end()) {
      std::vector<std::string> known;
      for (const auto& [name, entry] : reg) known.push_back(name);
      const std::string hint = nearest_name(st->command, known);
      throw error("no such command" + (hint.empty() ? std::string() : " (did you mean `" + hint + "`?)"),
                  {"", "config show", {}}, "one of " + join(known, ", "), "`" + st->command + "`");
    }
    const std::string text = it->second.show(st->opts);
    if (st->write_to.empty())
      fmt::print("{}", text);
    else
      write_file_atomic(st->write_to, text);
  });
}

}  // namespace physec::app
