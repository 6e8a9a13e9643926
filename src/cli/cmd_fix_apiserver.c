#include "cli/fix_cli.h"
#include "core/banned.h"

int cmd_fix_apiserver(int argc, char **argv)
{
	(void)argc, (void)argv;
	return usage_error("fix apiserver", "not built yet");
}
