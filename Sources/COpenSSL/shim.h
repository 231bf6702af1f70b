#ifndef TWVOICE_COPENSSL_SHIM_H
#define TWVOICE_COPENSSL_SHIM_H
// The SHA-1/SHA-256 one-call digests below are deprecated in OpenSSL 3 but present in every 3.x;
// they skip the provider fetch that costs ~0.7 ms on a process's first EVP call.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>

/// HMAC (RFC 2104) over OpenSSL's SHA-1 (`sha256 == 0`) or SHA-256 (`sha256 != 0`).
///
/// Same result as `HMAC(EVP_sha256(), …)` (tests compare the two on random inputs), without
/// OpenSSL 3's algorithm fetch on first use: measured in Benchmarks/openssl_first_use.c,
/// 0.65 ms per process for EVP against 0.01 ms here, a tenth of `twvoice token mint`'s run.
/// `out` receives 32 (SHA-256) or 20 (SHA-1) bytes.
static inline void twvoice_hmac(int sha256, const unsigned char *key, size_t key_len,
                                const unsigned char *msg, size_t msg_len, unsigned char *out) {
  enum { BLOCK = 64 };
  unsigned char block[BLOCK];
  unsigned char inner[SHA256_DIGEST_LENGTH];
  size_t digest_len = sha256 ? SHA256_DIGEST_LENGTH : SHA_DIGEST_LENGTH;
  memset(block, 0, BLOCK);
  if (key_len > BLOCK) {
    if (sha256) SHA256(key, key_len, block); else SHA1(key, key_len, block);
  } else if (key_len > 0) {
    memcpy(block, key, key_len);
  }
  unsigned char pad[BLOCK];
  for (int i = 0; i < BLOCK; i++) pad[i] = block[i] ^ 0x36;
  if (sha256) {
    SHA256_CTX c;
    SHA256_Init(&c); SHA256_Update(&c, pad, BLOCK); SHA256_Update(&c, msg, msg_len);
    SHA256_Final(inner, &c);
    for (int i = 0; i < BLOCK; i++) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&c); SHA256_Update(&c, pad, BLOCK); SHA256_Update(&c, inner, digest_len);
    SHA256_Final(out, &c);
  } else {
    SHA_CTX c;
    SHA1_Init(&c); SHA1_Update(&c, pad, BLOCK); SHA1_Update(&c, msg, msg_len);
    SHA1_Final(inner, &c);
    for (int i = 0; i < BLOCK; i++) pad[i] = block[i] ^ 0x5c;
    SHA1_Init(&c); SHA1_Update(&c, pad, BLOCK); SHA1_Update(&c, inner, digest_len);
    SHA1_Final(out, &c);
  }
  OPENSSL_cleanse(block, BLOCK);
  OPENSSL_cleanse(pad, BLOCK);
}
#endif
