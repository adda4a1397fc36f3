#include "heapstats.h"
#include <malloc.h>

size_t jf_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

int jf_heap_trim(void) { return malloc_trim(0); }
