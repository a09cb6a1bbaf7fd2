/*
 * The reference Modbus RTU master for the modbus-rtt bench, built on libmodbus
 * (an implementation independent of ours): reads holding register 0 of one
 * unit COUNT times, GAP_US apart, and prints each round trip in microseconds
 * (CLOCK_MONOTONIC around modbus_read_registers), one per line. A failed read
 * prints "error <message>".
 * Usage: modbus-rtt-master DEVICE BAUD UNIT COUNT GAP_US
 */
#include <errno.h>
#include <modbus/modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
    if (argc != 6) return 2;
    modbus_t *ctx = modbus_new_rtu(argv[1], atoi(argv[2]), 'N', 8, 1);
    if (ctx == NULL || modbus_set_slave(ctx, atoi(argv[3])) == -1 || modbus_connect(ctx) == -1) {
        fprintf(stderr, "cannot open %s: %s\n", argv[1], modbus_strerror(errno));
        return 1;
    }
    modbus_set_response_timeout(ctx, 0, 500000);
    int count = atoi(argv[4]);
    useconds_t gap = (useconds_t)atoi(argv[5]);
    uint16_t value;
    for (int i = 0; i < count; i++) {
        usleep(gap);
        double start = now_us();
        if (modbus_read_registers(ctx, 0, 1, &value) == 1) printf("%.1f\n", now_us() - start);
        else printf("error %s\n", modbus_strerror(errno));
    }
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
