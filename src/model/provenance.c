#include "model/provenance.h"

#include "core/banned.h"

const char SRC_FLAG[] = "flag";
const char SRC_CONFIG[] = "config";
const char SRC_DROPIN[] = "dropin";
const char SRC_CONFIGZ[] = "configz";
const char SRC_DEFAULT[] = "default";
const char SRC_FILE[] = "file";
