#ifndef TIMBRE_CSAMPLERATE_SHIM_H
#define TIMBRE_CSAMPLERATE_SHIM_H
#include <samplerate.h>
#endif
