# Cross-cutting checks of the whole tree (lead).
kc_script_test(worker_netns ${CMAKE_CURRENT_LIST_DIR}/worker_netns.sh LABELS "integration;quick" TIMEOUT 60)
kc_script_test(sandbox_cpu ${CMAKE_CURRENT_LIST_DIR}/sandbox_cpu.sh LABELS "integration;quick" TIMEOUT 120)
# The CPU quota under the other drivers (runsc: OCI resources.cpu; docker: --cpus).
kc_script_test(sandbox_cpu_runsc ${CMAKE_CURRENT_LIST_DIR}/sandbox_cpu_driver.sh ARGS runsc LABELS "integration" TIMEOUT 180)
kc_script_test(sandbox_cpu_docker_runc ${CMAKE_CURRENT_LIST_DIR}/sandbox_cpu_driver.sh ARGS docker runc LABELS "integration" TIMEOUT 180)
kc_script_test(sandbox_cpu_docker_runsc ${CMAKE_CURRENT_LIST_DIR}/sandbox_cpu_driver.sh ARGS docker runsc LABELS "integration" TIMEOUT 180)
# docker + gVisor: a command that cannot start leaves no containerd shim behind.
kc_script_test(docker_runsc_no_shim_leak ${CMAKE_CURRENT_LIST_DIR}/docker_runsc_no_shim_leak.sh LABELS "integration;docker" TIMEOUT 180)
# The sandbox worker's start-up cgroup sweep: dead workers' old cgroups only.
kc_script_test(sandbox_cgroup_sweep ${CMAKE_CURRENT_LIST_DIR}/sandbox_cgroup_sweep.sh LABELS "integration;quick" TIMEOUT 60)
