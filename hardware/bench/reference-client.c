/*
 * The reference PC/SC client for `make bench`: the least a program can do to read a tap's UID through
 * libpcsclite. Parcours' own reader service is measured beside it, in the same run, on the same rig.
 *
 *   reference-client watch READER COUNT   for COUNT taps on READER: wait for a card, connect, FF CA 00 00 00 and
 *                                         FF B0 00 03 10 (the UID and the Type 2 CC page: the same two reads
 *                                         Parcours makes of a blank tag), print "uid <CLOCK_BOOTTIME ns> <hex>",
 *                                         disconnect, wait for removal
 *   reference-client rtt READER COUNT     on the card present in READER, send FF CA 00 00 00 COUNT times and
 *                                         print each round trip: "rtt <ns>"
 *
 * CLOCK_BOOTTIME because Swift's ContinuousClock reads that clock on Linux: the bench compares instants.
 */
#include <PCSC/winscard.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void check(LONG rv, const char *what) {
    if (rv != SCARD_S_SUCCESS) {
        fprintf(stderr, "reference-client: %s: %s (0x%lX)\n", what, pcsc_stringify_error(rv), (unsigned long)rv);
        exit(1);
    }
}

static const BYTE get_uid[] = {0xFF, 0xCA, 0x00, 0x00, 0x00};
static const BYTE read_cc[] = {0xFF, 0xB0, 0x00, 0x03, 0x10};

static int read_uid(SCARDCONTEXT context, const char *reader, BYTE *uid, DWORD *uid_length) {
    SCARDHANDLE card;
    DWORD protocol;
    if (SCardConnect(context, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol)
        != SCARD_S_SUCCESS)
        return -1;
    SCARD_IO_REQUEST pci = {protocol, sizeof(SCARD_IO_REQUEST)};
    BYTE response[258];
    DWORD length = sizeof(response);
    LONG rv = SCardTransmit(card, &pci, get_uid, sizeof(get_uid), NULL, response, &length);
    if (rv != SCARD_S_SUCCESS || length < 2 || response[length - 2] != 0x90) {
        SCardDisconnect(card, SCARD_LEAVE_CARD);
        return -1;
    }
    *uid_length = length - 2;
    memcpy(uid, response, *uid_length);
    BYTE cc[258];
    DWORD cc_length = sizeof(cc);
    rv = SCardTransmit(card, &pci, read_cc, sizeof(read_cc), NULL, cc, &cc_length);
    SCardDisconnect(card, SCARD_LEAVE_CARD);
    return rv == SCARD_S_SUCCESS && cc_length == 18 ? 0 : -1;
}

static void wait_for(SCARDCONTEXT context, SCARD_READERSTATE *state, int present) {
    for (;;) {
        check(SCardGetStatusChange(context, INFINITE, state, 1), "SCardGetStatusChange");
        state->dwCurrentState = state->dwEventState & ~SCARD_STATE_CHANGED;
        if (!!(state->dwEventState & SCARD_STATE_PRESENT) == present) return;
    }
}

static void watch(SCARDCONTEXT context, const char *reader, int count) {
    SCARD_READERSTATE state = {.szReader = reader, .dwCurrentState = SCARD_STATE_UNAWARE};
    check(SCardGetStatusChange(context, 0, &state, 1), "SCardGetStatusChange");
    state.dwCurrentState = state.dwEventState & ~SCARD_STATE_CHANGED;
    printf("ready\n");
    fflush(stdout);
    for (int tap = 0; tap < count; tap++) {
        wait_for(context, &state, 1);
        BYTE uid[16];
        DWORD uid_length = 0;
        if (read_uid(context, reader, uid, &uid_length) == 0) {
            uint64_t at = now_ns();
            printf("uid %llu ", (unsigned long long)at);
            for (DWORD i = 0; i < uid_length; i++) printf("%02X", uid[i]);
            printf("\n");
        } else {
            printf("failed %llu\n", (unsigned long long)now_ns());
        }
        fflush(stdout);
        wait_for(context, &state, 0);
    }
}

static void round_trips(SCARDCONTEXT context, const char *reader, int count) {
    SCARDHANDLE card;
    DWORD protocol;
    check(SCardConnect(context, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol),
          "SCardConnect");
    SCARD_IO_REQUEST pci = {protocol, sizeof(SCARD_IO_REQUEST)};
    for (int i = 0; i < count; i++) {
        BYTE response[258];
        DWORD length = sizeof(response);
        uint64_t start = now_ns();
        check(SCardTransmit(card, &pci, get_uid, sizeof(get_uid), NULL, response, &length), "SCardTransmit");
        printf("rtt %llu\n", (unsigned long long)(now_ns() - start));
    }
    SCardDisconnect(card, SCARD_LEAVE_CARD);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: reference-client watch|rtt READER COUNT\n");
        return 2;
    }
    SCARDCONTEXT context;
    check(SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &context), "SCardEstablishContext");
    int count = atoi(argv[3]);
    if (strcmp(argv[1], "watch") == 0) watch(context, argv[2], count);
    else if (strcmp(argv[1], "rtt") == 0) round_trips(context, argv[2], count);
    else { fprintf(stderr, "unknown mode %s\n", argv[1]); return 2; }
    SCardReleaseContext(context);
    return 0;
}
