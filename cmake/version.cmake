# WINNOW_VERSION: the version of this build, for --version and the package.
#   tagged commit vX.Y.Z              -> X.Y.Z
#   N commits after the tag vX.Y.Z    -> X.Y.Z+gitN.HASH
#   no tag (or no git)                -> PROJECT_VERSION+gitCOUNT.HASH (COUNT: commits in HEAD)
#                                        or PROJECT_VERSION outside a git checkout
# Each later commit gives a later Debian version, so an installed package upgrades in order.
# Computed when CMake configures (not on every commit): scripts/package configures again
# before each build.
set(WINNOW_VERSION ${PROJECT_VERSION})
set(WINNOW_GIT_COMMIT "")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS ${PROJECT_SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=8 HEAD
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE hash
                  RESULT_VARIABLE hash_result OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --tags --long --match "v[0-9]*" --abbrev=8
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE described
                  RESULT_VARIABLE describe_result OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(hash_result EQUAL 0)
    set(WINNOW_GIT_COMMIT ${hash})
    if(describe_result EQUAL 0 AND described MATCHES "^v([0-9][0-9A-Za-z.~]*)-([0-9]+)-g([0-9a-f]+)$")
      if(CMAKE_MATCH_2 EQUAL 0)
        set(WINNOW_VERSION ${CMAKE_MATCH_1})
      else()
        set(WINNOW_VERSION ${CMAKE_MATCH_1}+git${CMAKE_MATCH_2}.${CMAKE_MATCH_3})
      endif()
    else()
      execute_process(COMMAND ${GIT_EXECUTABLE} rev-list --count HEAD
                      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE count
                      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      set(WINNOW_VERSION ${PROJECT_VERSION}+git${count}.${hash})
    endif()
  endif()
endif()
message(STATUS "winnow version ${WINNOW_VERSION}")
