#include "core.h"

long everyrun_square(long x) { return x * x; }
