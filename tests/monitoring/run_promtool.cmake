# SPDX-License-Identifier: MIT
# Writes a Prometheus exposition with the hidden test case, then lints it with promtool.
execute_process(COMMAND ${CMAKE_COMMAND} -E env KOLOSAL_PROMETHEUS_OUT=${OUT} ${TESTS} "[.promtool]"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "writing the sample failed (${rc}):\n${out}")
endif()
execute_process(COMMAND ${PROMTOOL} check metrics INPUT_FILE ${OUT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "promtool check metrics failed (${rc}):\n${out}")
endif()
message(STATUS "promtool: ${out}")
