#ifndef TIMBRE_CSNDFILE_SHIM_H
#define TIMBRE_CSNDFILE_SHIM_H
#include <sndfile.h>
#endif
