#include "cli/fix_cli.h"
#include "core/banned.h"

int cmd_fix_rbac(int argc, char **argv)
{
	(void)argc, (void)argv;
	return usage_error("fix rbac", "not built yet");
}
