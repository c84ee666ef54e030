#ifndef SHAPED_CORE_H
#define SHAPED_CORE_H
#ifdef __cplusplus
extern "C" {
#endif
long shaped_core_sum(long upto);
#ifdef __cplusplus
}
#endif
#endif
