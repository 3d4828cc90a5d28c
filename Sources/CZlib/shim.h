#ifndef ASHB_CZLIB_SHIM_H
#define ASHB_CZLIB_SHIM_H
#include <zlib.h>
#endif
