#include "app/cli.hpp"

int main(int argc, char** argv) {
  return aibridge::app::run_cli(argc, argv);
}
