# recourse_add_library(NAME SOURCES ... PUBLIC_LIBS ... PRIVATE_LIBS ...)
# One static library per core folder, so a test can link exactly one layer.
function(recourse_add_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
    add_library(${name} STATIC ${ARG_SOURCES})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_LIBS} PRIVATE recourse_warnings ${ARG_PRIVATE_LIBS})
endfunction()

# recourse_add_test(NAME SOURCES ... LIBS ... [LABELS ...] [TIMEOUT s])
# Registers a QtTest executable with CTest on the offscreen platform, so GUI tests need no display.
function(recourse_add_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Qt6::Test recourse_warnings ${ARG_LIBS})
    target_compile_definitions(${name} PRIVATE
        RECOURSE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        RECOURSE_BINARY_DIR="${PROJECT_BINARY_DIR}")
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES
        TIMEOUT ${ARG_TIMEOUT}
        LABELS "${ARG_LABELS}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_LOGGING_RULES=recourse.*.debug=false")
endfunction()
