# AIBRIDGE_SANITIZE: "address;undefined" or "thread" (separate build directories).
set(AIBRIDGE_SANITIZE "" CACHE STRING "Sanitizers to build with: address;undefined or thread")
add_library(aibridge_sanitizers INTERFACE)
add_library(aibridge::sanitizers ALIAS aibridge_sanitizers)
if(AIBRIDGE_SANITIZE)
  if("thread" IN_LIST AIBRIDGE_SANITIZE AND "address" IN_LIST AIBRIDGE_SANITIZE)
    message(FATAL_ERROR "thread and address sanitizers cannot be combined")
  endif()
  list(JOIN AIBRIDGE_SANITIZE "," sanitize_list)
  set(sanitize_flags -fsanitize=${sanitize_list} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  # Sanitize the whole build (tests and the binary they start), not only our own targets.
  add_compile_options(${sanitize_flags})
  add_link_options(${sanitize_flags})
endif()
