# bench/templates (issue 4): render the reference tool-prompt catalogs
# 10,000 times, kylecode's engine beside Python Jinja2 in the same run;
# scripts/bench_templates.sh prints renders/s, bytes/s and the ratio.
add_executable(kc-template-bench ${CMAKE_CURRENT_LIST_DIR}/template_bench.c)
target_link_libraries(kc-template-bench PRIVATE kc_template)
