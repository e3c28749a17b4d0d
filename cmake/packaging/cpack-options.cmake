# packaging/cpack-options.cmake — read by cpack (CPACK_PROJECT_CONFIG_FILE). The .deb installs into
# /usr and its binary looks for site profiles in /etc/mfpdoctor/profiles, which is only true when
# the build was configured with -DCMAKE_INSTALL_PREFIX=/usr.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_MFP_CONFIGURED_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "mfpdoctor: the .deb needs a build configured with -DCMAKE_INSTALL_PREFIX=/usr "
    "(this one has ${CPACK_MFP_CONFIGURED_PREFIX}, so its binary would look for site profiles in "
    "${CPACK_MFP_CONFIGURED_PREFIX}/etc/mfpdoctor/profiles). Configure a separate build directory: "
    "cmake -S . -B build-deb -DCMAKE_INSTALL_PREFIX=/usr && cmake --build build-deb && "
    "(cd build-deb && cpack -G DEB)")
endif()
