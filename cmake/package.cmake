# The Debian package: `cpack -G DEB` in the build directory (scripts/package does it all)
# makes winnow_VERSION_amd64.deb from the install rules, plus what only a package needs:
# the copyright file, a Debian changelog, the conffiles list and the maintainer scripts
# (packaging/deb/). Runtime dependencies come from dpkg-shlibdeps (package dpkg-dev).
include(GNUInstallDirs)

set(WINNOW_PACKAGE_MAINTAINER "winnow maintainers <maintainers@users.noreply.h-seed-6fe028a5.example>"
    CACHE STRING "The Maintainer: of the Debian package")

# /usr/share/doc/winnow: copyright, and changelog.gz, which lintian wants in every package.
# Its date is the commit's, so that two builds of one commit give the same file.
set(WINNOW_CHANGELOG_DATE "Thu, 01 Jan 1970 00:00:00 +0000")
if(WINNOW_GIT_COMMIT)
  execute_process(COMMAND ${GIT_EXECUTABLE} log -1 "--date=format:%a, %d %b %Y %H:%M:%S %z" --format=%ad
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE WINNOW_CHANGELOG_DATE
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
else()
  set(WINNOW_GIT_COMMIT "(unknown)")
endif()
set(WINNOW_MAINTAINER ${WINNOW_PACKAGE_MAINTAINER})
configure_file(${PROJECT_SOURCE_DIR}/packaging/deb/changelog.in ${PROJECT_BINARY_DIR}/packaging/changelog @ONLY)
find_program(GZIP gzip REQUIRED)
add_custom_command(
  OUTPUT ${PROJECT_BINARY_DIR}/packaging/changelog.gz
  COMMAND ${GZIP} -9nc ${PROJECT_BINARY_DIR}/packaging/changelog > ${PROJECT_BINARY_DIR}/packaging/changelog.gz
  DEPENDS ${PROJECT_BINARY_DIR}/packaging/changelog)
add_custom_target(package_changelog ALL DEPENDS ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/deb/copyright ${PROJECT_BINARY_DIR}/packaging/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME winnow)
set(CPACK_PACKAGE_VERSION ${WINNOW_VERSION})
set(CPACK_PACKAGE_CONTACT ${WINNOW_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${WINNOW_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "news feed ingestion daemon with article extraction")
set(CPACK_PACKAGE_DESCRIPTION
    "winnowd polls RSS, Atom, RDF and JSON feeds, fetches the articles they link to\n"
    "politely, extracts the article text from each page and keeps it in a SQLite\n"
    "archive, searchable and exported as JSON Lines, Markdown or WARC. It runs as a\n"
    "sandboxed systemd service. The winnow command extracts saved pages, manages the\n"
    "feeds, crawls on demand and searches the archive.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# DEB-DEFAULT: winnow_VERSION_amd64.deb (no Debian revision: a native package).
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The units use features of systemd 252 (Debian 12); the CLI runs without it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd (>= 252)")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/deb/conffiles ${PROJECT_SOURCE_DIR}/packaging/deb/postinst
    ${PROJECT_SOURCE_DIR}/packaging/deb/prerm ${PROJECT_SOURCE_DIR}/packaging/deb/postrm)
# Maintainer scripts 0755, conffiles 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# The build tree's own files (tests, benchmarks) are not installed; nothing else to exclude.
include(CPack)
