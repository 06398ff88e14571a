/* The subcommands of `kylecode`. Each lives in its own cmd_<name>.c and
 * returns the process exit code (DESIGN §7: 0 done, 1 failed, 2 usage,
 * 3 config error; exec passes the command's own status through). argv[0]
 * is the subcommand's name. */
#ifndef KC_SUPERVISOR_CMD_H
#define KC_SUPERVISOR_CMD_H

#define KC_EXIT_OK 0
#define KC_EXIT_FAIL 1
#define KC_EXIT_USAGE 2
#define KC_EXIT_CONFIG 3

int cmd_run(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_prompts(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

#endif
