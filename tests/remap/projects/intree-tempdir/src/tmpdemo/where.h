/* __FILE__ here is the absolute path the compiler found this header at. */
static const char where_file[] = __FILE__;
