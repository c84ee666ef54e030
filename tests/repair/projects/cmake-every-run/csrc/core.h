#ifndef EVERYRUN_CORE_H
#define EVERYRUN_CORE_H
long everyrun_square(long x);
#endif
