#ifndef HDRDEP_H
#define HDRDEP_H
/* The tests rewrite this value together with the version in pyproject.toml. */
#define HDRDEP_VALUE 1
#endif
