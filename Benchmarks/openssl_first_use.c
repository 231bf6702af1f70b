#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e6+t.tv_nsec/1e3;}
int main(int argc,char**argv){
  double t0=now();
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG,NULL);
  double t1=now();
  unsigned char md[64]; unsigned int len;
  HMAC(EVP_sha256(),"key",3,(unsigned char*)"msg",3,md,&len);
  double t2=now();
  HMAC(EVP_sha256(),"key",3,(unsigned char*)"msg",3,md,&len);
  double t3=now();
  SHA256((unsigned char*)"msg",3,md);
  double t4=now();
  fprintf(stderr,"init %.0fus first hmac %.0fus second %.1fus sha %.1fus\n",t1-t0,t2-t1,t3-t2,t4-t3);
}
