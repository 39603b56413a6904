/*
 * libFuzzer target for mail/prescan.c: the input is a raw message. Checks
 * the invariants of struct prescan_info that callers rely on.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "mail/prescan.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prescan_info info;
	enum prescan_status st;

	st = prescan_message((const char *)data, size, &info);
	if (prescan_status_str(st) == NULL)
		abort();
	if (st == PRESCAN_OK) {
		if (info.header_len > size)
			abort();
		if (info.depth < 0 || info.depth > PRESCAN_MAX_DEPTH)
			abort();
		if (info.parts < 0 || info.parts > PRESCAN_MAX_PARTS)
			abort();
		if (info.received_count < 0)
			abort();
	}
	return 0;
}
