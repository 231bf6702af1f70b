#ifndef TWVOICE_BYTE_SCAN_H
#define TWVOICE_BYTE_SCAN_H
#include <stddef.h>

/// glibc's memmem (a GNU extension Swift's Glibc module does not export): the first occurrence
/// of `needle` in `haystack`, or NULL.
const void *tw_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);

#endif
