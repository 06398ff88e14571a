# `kylecode run` end to end against kylecode-mockllm (real workers).
foreach(t demo dialects native relay modes completion compaction sigint replay redaction sandbox_config retry_ui)
  kc_script_test(run_${t} ${CMAKE_CURRENT_LIST_DIR}/run_${t}.sh
    LABELS "integration;quick" TIMEOUT 120)
endforeach()
# Five crashes and resumes plus a kill -9 mid-command: ~30 s.
kc_script_test(run_resume ${CMAKE_CURRENT_LIST_DIR}/run_resume.sh
  LABELS "integration;fault;slow" TIMEOUT 180)
# API keys from the .env beside the config (read by worker-llm only).
kc_script_test(llm_dotenv ${CMAKE_CURRENT_LIST_DIR}/llm_dotenv.sh
  LABELS "integration;quick" TIMEOUT 120)
