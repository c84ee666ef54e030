/* The C half: its __FILE__ is the path cc passed to the compiler. */

const char *greeting_source_file(void) { return __FILE__; }

int greeting_add(int a, int b) { return a + b; }
