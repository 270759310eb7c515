# aibridge::warnings — the warning set every target of the project compiles with.
add_library(aibridge_warnings INTERFACE)
add_library(aibridge::warnings ALIAS aibridge_warnings)
target_compile_options(aibridge_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
