# SPDX-License-Identifier: MIT
# keygen -> sign -> verify, with and without encryption, and a tampered copy failing.
#   -DCLI=path -DWORK_DIR=dir -DARTIFACT=file
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run expected_code out_regex)
  execute_process(COMMAND "${CLI}" ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out
                  ERROR_VARIABLE err WORKING_DIRECTORY "${WORK_DIR}")
  if(NOT code EQUAL expected_code)
    message(FATAL_ERROR "kolosal ${ARGN}: exit ${code}, expected ${expected_code}\n${out}\n${err}")
  endif()
  if(NOT "${out}${err}" MATCHES "${out_regex}")
    message(FATAL_ERROR "kolosal ${ARGN}: output does not match '${out_regex}':\n${out}\n${err}")
  endif()
endfunction()

run(0 "key id [0-9a-f]+" keygen --out sign.key)
run(0 "encryption key" keygen --out enc.key --type encryption)
run(1 "exists; pass --force" keygen --out sign.key)
execute_process(COMMAND stat -c %a "${WORK_DIR}/sign.key" OUTPUT_VARIABLE secret_mode
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT secret_mode STREQUAL "600")
  message(FATAL_ERROR "secret key mode is ${secret_mode}, expected 600")
endif()
run(0 "signed .* -> model.ksig" sign --key sign.key --in "${ARTIFACT}" --out model.ksig)
run(0 "OK: model.ksig is signed by key" verify --key sign.key.pub --in model.ksig --out back.json)
file(READ "${ARTIFACT}" original)
file(READ "${WORK_DIR}/back.json" restored)
if(NOT original STREQUAL restored)
  message(FATAL_ERROR "verify --out did not restore the artifact")
endif()
run(0 "encrypted" sign --key sign.key --in "${ARTIFACT}" --out sealed.ksig --encrypt-key enc.key)
run(0 "encrypted\\)" verify --key sign.key.pub --in sealed.ksig)
run(0 "decrypted\\)" verify --key sign.key.pub --in sealed.ksig --decrypt-key enc.key
    --out opened.json)
file(READ "${WORK_DIR}/opened.json" opened)
if(NOT original STREQUAL opened)
  message(FATAL_ERROR "decryption did not restore the artifact")
endif()
run(1 "expected a ed25519-public key" verify --key sign.key --in model.ksig)
# Keys from the environment.
file(READ "${WORK_DIR}/sign.key.pub" public_text)
set(ENV{KOLOSAL_CLI_TEST_PUB} "${public_text}")
run(0 "OK:" verify --key env:KOLOSAL_CLI_TEST_PUB --in model.ksig)
run(1 "KOLOSAL_CLI_TEST_MISSING .*is not set" verify --key env:KOLOSAL_CLI_TEST_MISSING --in model.ksig)
# A world-readable secret key is refused.
file(CHMOD "${WORK_DIR}/sign.key" FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
run(1 "chmod 600" sign --key sign.key --in "${ARTIFACT}" --out again.ksig)
