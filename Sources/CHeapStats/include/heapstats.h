#ifndef JOBFLOW_HEAPSTATS_H
#define JOBFLOW_HEAPSTATS_H
#include <stddef.h>
/// Bytes currently allocated through malloc (glibc mallinfo2: in-use chunks + mmapped blocks).
/// Used by the benchmarks to measure live memory, which RSS cannot show after frees.
size_t jf_heap_in_use(void);
/// Returns free heap memory to the kernel (glibc malloc_trim(0)); 1 if any was released.
int jf_heap_trim(void);
#endif
