# SPDX-License-Identifier: MIT
# Runs the kolosal tool with ARGS (a ;-list) and checks its exit code and output.
#   -DCLI=path -DARGS=a|b|c -DEXPECT_CODE=N -DEXPECT_STDOUT=regex -DEXPECT_STDERR=regex
#   [-DOUT_FILE=path -DEXPECT_SAME_AS=path]: the file the command wrote must equal another
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${CLI}" ${args}
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL EXPECT_CODE)
  message(FATAL_ERROR "exit code ${code}, expected ${EXPECT_CODE}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(DEFINED EXPECT_STDOUT AND NOT out MATCHES "${EXPECT_STDOUT}")
  message(FATAL_ERROR "stdout does not match '${EXPECT_STDOUT}':\n${out}")
endif()
if(DEFINED EXPECT_STDERR AND NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "stderr does not match '${EXPECT_STDERR}':\n${err}")
endif()
if(DEFINED OUT_FILE)
  file(READ "${OUT_FILE}" written)
  file(READ "${EXPECT_SAME_AS}" expected)
  if(NOT written STREQUAL expected)
    message(FATAL_ERROR "${OUT_FILE} differs from ${EXPECT_SAME_AS}")
  endif()
endif()
