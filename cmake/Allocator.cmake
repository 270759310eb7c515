# aibridge_use_mimalloc(target): mimalloc (Debian's libmimalloc) replaces malloc for the whole
# process. The relay allocates and frees on one thread and the recorder frees what it was handed,
# which glibc's arenas do slowly (a third less CPU per request measured, bench/RESULTS.md).
# Sanitized builds keep their own allocator. Linked first, so that its malloc is the one every
# library binds to.
function(aibridge_use_mimalloc target)
  if(NOT AIBRIDGE_SANITIZE)
    find_package(mimalloc REQUIRED)
    target_link_libraries(${target} PRIVATE "-Wl,--push-state,--no-as-needed" mimalloc
                          "-Wl,--pop-state")
  endif()
endfunction()
