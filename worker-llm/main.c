/* kylecode-llm: the only process with API keys and network; talks to model
 * providers. Argument handling only; the role's code is llm_main(). */
#include "ipc/wargs.h"
#include "lib/core/log.h"
#include "worker-llm/serve.h"

extern char **environ;

int
main(int argc, char **argv)
{
	struct worker_args wa;

	worker_args_parse(argc, argv, "llm",
	                  "kylecode-llm: the only process with API keys and network; talks to "
	                  "model providers (OpenAI, Anthropic, any OpenAI-compatible base_url).",
	                  &wa);
	log_init("llm", wa.verbose);
	return llm_main(&wa, environ);
}
