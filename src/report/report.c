#include "report/report.h"

#include <string.h>

#include "core/util.h"
#include "core/banned.h"

static const struct reporter reporters[] = {
	{ "text", report_text },
	{ "json", report_json },
};

const struct reporter *reporter_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(reporters); i++)
		if (!strcmp(reporters[i].name, name))
			return &reporters[i];
	return NULL;
}

const char *reporter_names(void)
{
	return "text, json";
}
