#define _XOPEN_SOURCE 600
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include "pty_support.h"

int tw_open_pty(char *name, size_t name_size) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0) return -1;
  if (grantpt(master) != 0 || unlockpt(master) != 0) return -1;
  const char *slave = ptsname(master);
  if (!slave || strlen(slave) + 1 > name_size) return -1;
  strcpy(name, slave);
  return master;
}
