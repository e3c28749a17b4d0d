# cmake/install.cmake — what `cmake --install` puts where (GNUInstallDirs), and the .deb
# (CPack, `cpack -G DEB` or the `package` target). Included from the top-level CMakeLists.txt.
install(TARGETS mfpdoctor RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${MFP_MAN_INSTALLED} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${MFP_BASH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${MFP_ZSH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

# Documentation: the README, every docs/*.md, the copyright, the example site profiles and the
# monitoring definitions (whatever docs/monitoring/ holds at install time).
file(GLOB MFP_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${MFP_DOCS} ${PROJECT_SOURCE_DIR}/cmake/packaging/copyright
        ${MFP_CHANGELOG} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/monitoring/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/monitoring
        OPTIONAL)

# The site profile folder the binary looks in (MFPDOCTOR_SYSCONFDIR, see profile_site_dir()):
# SYSCONFDIR/mfpdoctor/profiles, with a README. For prefix /usr GNUInstallDirs puts SYSCONFDIR at
# /etc (an absolute destination); for other prefixes it is PREFIX/etc, relative, so
# `cmake --install --prefix P` keeps it under P.
if(IS_ABSOLUTE "${CMAKE_INSTALL_SYSCONFDIR}" OR NOT CMAKE_INSTALL_FULL_SYSCONFDIR MATCHES "^${CMAKE_INSTALL_PREFIX}/")
  set(MFP_SITE_DEST ${CMAKE_INSTALL_FULL_SYSCONFDIR}/mfpdoctor/profiles)
else()
  set(MFP_SITE_DEST ${CMAKE_INSTALL_SYSCONFDIR}/mfpdoctor/profiles)
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/packaging/site-profiles-README.in
               ${PROJECT_BINARY_DIR}/packaging/site-profiles-README @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/packaging/site-profiles-README DESTINATION ${MFP_SITE_DEST}
        RENAME README)

# The .deb. Its binary must look in /etc/mfpdoctor/profiles, so it must be configured with
# -DCMAKE_INSTALL_PREFIX=/usr (cmake/packaging/cpack-options.cmake refuses otherwise).
set(CPACK_PACKAGE_NAME mfpdoctor)
set(CPACK_PACKAGE_VENDOR "mfpdoctor maintainers")
set(CPACK_PACKAGE_CONTACT "mfpdoctor maintainers <maintainers@users.noreply.r-seed-39c66370.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "find out why a printer's scan-to-email fails, and what to change")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "mfpdoctor is a command-line tool for helpdesks. Given an office printer (MFP)
and its mail server, it finds where scan-to-email breaks (DNS, port, TLS mode
or version, certificate, login, sender, recipient, size), shows the evidence
and says what to change. It reads the printer read-only over SNMP and its web
pages, runs a test send that behaves like the printer, explains printer and
SMTP error codes from a sourced knowledge base, and runs as a Nagios/Icinga
plugin (mfpdoctor check).")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "snmp")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "swaks, msmtp, monitoring-plugins-basic")
configure_file(${PROJECT_SOURCE_DIR}/cmake/packaging/conffiles.in ${PROJECT_BINARY_DIR}/packaging/conffiles @ONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/packaging/cpack-options.cmake)
set(CPACK_MFP_CONFIGURED_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
include(CPack)
