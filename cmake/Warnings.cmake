# apsecu_set_warnings(target): the project's warning set, -Werror when APSECU_WERROR is on.
option(APSECU_WERROR "Treat warnings as errors" OFF)
function(apsecu_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  if(APSECU_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# apsecu_library(name SOURCES ... DEPS ...): one layer = one static library with its own include root.
function(apsecu_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(apsecu_${name} STATIC ${ARG_SOURCES})
  add_library(apsecu::${name} ALIAS apsecu_${name})
  target_include_directories(apsecu_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_compile_features(apsecu_${name} PUBLIC cxx_std_20)
  target_link_libraries(apsecu_${name} PUBLIC ${ARG_DEPS})
  apsecu_set_warnings(apsecu_${name})
endfunction()

# apsecu_test(name SOURCES ... DEPS ... [LABELS ...]): a GoogleTest executable registered with CTest.
function(apsecu_test name)
  # RUN_SERIAL: the test runs alone, for tests on an accelerated clock where a second of CPU
  # starvation is many simulated minutes.
  cmake_parse_arguments(ARG "RUN_SERIAL" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT APSECU_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  apsecu_set_warnings(${name})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  set(serial FALSE)
  if(ARG_RUN_SERIAL)
    set(serial TRUE)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" RUN_SERIAL ${serial} DISCOVERY_TIMEOUT 30)
endfunction()
