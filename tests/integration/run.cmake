# `kylecode run` end to end against kylecode-mockllm (real workers).
foreach(t demo dialects native relay completion compaction sigint resume replay redaction)
  kc_script_test(run_${t} ${CMAKE_CURRENT_LIST_DIR}/run_${t}.sh
    LABELS "integration;quick" TIMEOUT 120)
endforeach()
