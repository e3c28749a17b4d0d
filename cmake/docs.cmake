# cmake/docs.cmake — mfpdoctor-gendoc writes mfpdoctor.1 (from docs/man/mfpdoctor.1.in) and the
# bash and zsh completions from the same option tables as --help, at build time, so they cannot
# drift from the binary. Included from the top-level CMakeLists.txt.
add_executable(mfpdoctor-gendoc src/tools/gendoc_main.c src/tools/gendoc_man.c
               src/tools/gendoc_bash.c src/tools/gendoc_zsh.c)
target_compile_options(mfpdoctor-gendoc PRIVATE ${MFP_WARNINGS})
target_link_libraries(mfpdoctor-gendoc PRIVATE mfpdoctor_core)

set(MFP_MAN ${PROJECT_BINARY_DIR}/mfpdoctor.1)
set(MFP_MAN_GZ ${PROJECT_BINARY_DIR}/mfpdoctor.1.gz)
set(MFP_BASH_COMPLETION ${PROJECT_BINARY_DIR}/completions/mfpdoctor)
set(MFP_ZSH_COMPLETION ${PROJECT_BINARY_DIR}/completions/_mfpdoctor)
set(MFP_MAN_TEMPLATE ${PROJECT_SOURCE_DIR}/docs/man/mfpdoctor.1.in)
set(MFP_GENDOC_ARGS --version ${PROJECT_VERSION} --sysconfdir ${CMAKE_INSTALL_FULL_SYSCONFDIR}
    --docdir ${CMAKE_INSTALL_FULL_DOCDIR})

add_custom_command(OUTPUT ${MFP_MAN}
  COMMAND mfpdoctor-gendoc man -o ${MFP_MAN} --template ${MFP_MAN_TEMPLATE} ${MFP_GENDOC_ARGS}
  DEPENDS mfpdoctor-gendoc ${MFP_MAN_TEMPLATE}
  COMMENT "Generating the man page mfpdoctor.1 from the option tables")
# Debian policy: man pages are installed gzip-compressed (-n: no name or time stamp, reproducible).
find_program(MFP_GZIP gzip)
if(MFP_GZIP)
  add_custom_command(OUTPUT ${MFP_MAN_GZ}
    COMMAND ${MFP_GZIP} -9 -n -c ${MFP_MAN} > ${MFP_MAN_GZ}
    DEPENDS ${MFP_MAN}
    COMMENT "Compressing mfpdoctor.1")
  set(MFP_MAN_INSTALLED ${MFP_MAN_GZ})
  # the changelog is compressed too (Debian policy 12.7; lintian: no-changelog otherwise)
  set(MFP_CHANGELOG ${PROJECT_BINARY_DIR}/changelog.gz)
  add_custom_command(OUTPUT ${MFP_CHANGELOG}
    COMMAND ${MFP_GZIP} -9 -n -c ${PROJECT_SOURCE_DIR}/cmake/packaging/changelog > ${MFP_CHANGELOG}
    DEPENDS ${PROJECT_SOURCE_DIR}/cmake/packaging/changelog
    COMMENT "Compressing the changelog")
else()
  set(MFP_MAN_INSTALLED ${MFP_MAN})
  set(MFP_CHANGELOG ${PROJECT_SOURCE_DIR}/cmake/packaging/changelog)
endif()
add_custom_command(OUTPUT ${MFP_BASH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/completions
  COMMAND mfpdoctor-gendoc bash -o ${MFP_BASH_COMPLETION} ${MFP_GENDOC_ARGS}
  DEPENDS mfpdoctor-gendoc
  COMMENT "Generating the bash completion from the option tables")
add_custom_command(OUTPUT ${MFP_ZSH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/completions
  COMMAND mfpdoctor-gendoc zsh -o ${MFP_ZSH_COMPLETION} ${MFP_GENDOC_ARGS}
  DEPENDS mfpdoctor-gendoc
  COMMENT "Generating the zsh completion from the option tables")
add_custom_target(mfpdoctor-docs ALL
  DEPENDS ${MFP_MAN} ${MFP_MAN_INSTALLED} ${MFP_BASH_COMPLETION} ${MFP_ZSH_COMPLETION} ${MFP_CHANGELOG})
