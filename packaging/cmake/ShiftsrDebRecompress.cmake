# CPack post-build script (CPACK_POST_BUILD_SCRIPTS): CPack 3.25 compresses a .deb's files at xz's
# default level, whose 8 MiB window cannot see that shiftsr and shiftsr-cli carry the same embedded
# models; at level 9 (a 64 MiB window) xz finds the second copy and the package is half the size.
# dpkg-deb rebuilds the package from its own unpacked contents (control files and md5sums as
# CPack made them).
foreach(deb IN LISTS CPACK_PACKAGE_FILES)
    if(NOT deb MATCHES "\\.deb$")
        continue()
    endif()
    find_program(SHIFTSR_DPKG_DEB dpkg-deb REQUIRED)
    set(tree "${deb}.tree")
    file(REMOVE_RECURSE "${tree}")
    execute_process(COMMAND ${SHIFTSR_DPKG_DEB} --raw-extract "${deb}" "${tree}"
        COMMAND_ERROR_IS_FATAL ANY)
    execute_process(COMMAND ${SHIFTSR_DPKG_DEB} --root-owner-group -Zxz -z9 --build "${tree}" "${deb}"
        OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
    file(REMOVE_RECURSE "${tree}")
endforeach()
