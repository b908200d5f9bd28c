// The pcsc-lite client API (pkg-config libpcsclite adds -I.../PCSC).
#include <winscard.h>
#include <reader.h>
