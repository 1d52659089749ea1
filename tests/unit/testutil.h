/*
 * testutil.h: what every cmocka unit test includes.  cmocka needs these
 * standard headers before its own.
 */
#ifndef ENTENTE_TESTUTIL_H
#define ENTENTE_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#endif
