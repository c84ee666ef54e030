#include "core.h"

#include <cstddef>
#include <numeric>
#include <vector>

extern "C" long shaped_core_sum(long upto) {
    std::vector<long> values(static_cast<std::size_t>(upto));
    std::iota(values.begin(), values.end(), 1L);
    return std::accumulate(values.begin(), values.end(), 0L);
}
