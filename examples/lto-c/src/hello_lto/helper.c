#include "helper.h"

const char *helper_file(void) { return __FILE__; }
