# Warning flags for project targets only (third-party headers are included as SYSTEM).
function(shiftsr_target_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
    if(SHIFTSR_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# Qt targets never see the `slots`/`signals` keywords, so LibTorch headers cannot clash with them.
function(shiftsr_qt_target target)
    target_compile_definitions(${target} PRIVATE QT_NO_KEYWORDS)
endfunction()
