#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
static unsigned long main_mallocs;
static void *(*real_malloc)(size_t);
void *malloc(size_t n) {
  if (!real_malloc) real_malloc = dlsym(RTLD_NEXT, "malloc");
  if (syscall(SYS_gettid) == getpid()) main_mallocs++;
  return real_malloc(n);
}
__attribute__((destructor)) static void report(void) { fprintf(stderr, "main-thread mallocs: %lu\n", main_mallocs); }
