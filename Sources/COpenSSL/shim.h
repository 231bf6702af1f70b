#ifndef TWVOICE_COPENSSL_SHIM_H
#define TWVOICE_COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>
#endif
