# Installs the Cerbos PDP from npm for tst_cerbosupstream:
#   cmake -DPREFIX=<folder> -DVERSION=<x.y.z> -P installcerbos.cmake
# Does nothing when that version is already there, and succeeds without installing when npm is
# missing, so the suite itself reports the skip.
set(package "@cerbos/cerbos-linux-x64")
set(manifest "${PREFIX}/node_modules/${package}/package.json")
set(binary "${PREFIX}/node_modules/${package}/cerbos-linux-x64")

if(EXISTS "${binary}" AND EXISTS "${manifest}")
    file(READ "${manifest}" installed)
    string(JSON installed_version GET "${installed}" version)
    if(installed_version STREQUAL VERSION)
        message(STATUS "Cerbos ${VERSION} is already installed in ${PREFIX}")
        return()
    endif()
endif()

find_program(NPM npm)
if(NOT NPM)
    message(STATUS "npm is not installed; tst_cerbosupstream will skip")
    return()
endif()

execute_process(
    COMMAND "${NPM}" install --no-audit --no-fund --no-save --prefix "${PREFIX}" "${package}@${VERSION}"
    RESULT_VARIABLE result)
if(NOT result EQUAL 0 OR NOT EXISTS "${binary}")
    message(FATAL_ERROR "npm could not install ${package}@${VERSION} into ${PREFIX}")
endif()
