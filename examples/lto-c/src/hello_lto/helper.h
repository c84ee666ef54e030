#ifndef HELLO_LTO_HELPER_H
#define HELLO_LTO_HELPER_H

/* Defined in another translation unit, so -flto inlines it across files. */
const char *helper_file(void);

#endif
