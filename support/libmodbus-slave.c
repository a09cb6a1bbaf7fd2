/*
 * An independent Modbus slave built on libmodbus, shared by the interop test
 * and the modbus-rtt bench.
 *
 * Its register map is that of the thermo-modbus-float32 profile: input
 * registers 16-17 hold the temperature given on the command line as an
 * IEEE-754 float32, low word first. The words are set by hand: libmodbus
 * 3.1.6's modbus_set_float_cdab also swaps the bytes inside each word on
 * little-endian hosts (DCBA on the wire), which is not what its name says.
 * Holding register 0 holds 1234, for the bench's reads.
 *
 * Usage:
 *   libmodbus-slave tcp CELSIUS
 *     listens on 127.0.0.1, an ephemeral port it prints as "port N", and
 *     serves one client until it disconnects.
 *   libmodbus-slave rtu DEVICE BAUD UNIT CELSIUS
 *     answers unit UNIT on the serial DEVICE (8N1), prints "ready", and serves
 *     until it is killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <modbus/modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static modbus_mapping_t *thermometer_map(const char *celsius_text) {
    /* 300 holding registers: 256 is the measurement trigger. */
    modbus_mapping_t *map = modbus_mapping_new(0, 0, 300, 32);
    if (map == NULL) return NULL;
    float celsius = (float)atof(celsius_text);
    uint32_t bits;
    memcpy(&bits, &celsius, sizeof bits);
    map->tab_input_registers[16] = (uint16_t)(bits & 0xffff);
    map->tab_input_registers[17] = (uint16_t)(bits >> 16);
    map->tab_registers[0] = 1234;
    return map;
}

static void serve(modbus_t *ctx, modbus_mapping_t *map, int stop_on_disconnect) {
    uint8_t query[MODBUS_MAX_ADU_LENGTH];
    for (;;) {
        int received = modbus_receive(ctx, query);
        if (received > 0) modbus_reply(ctx, query, received, map);
        /* On a serial line -1 is a bad frame (CRC, noise): keep serving. */
        else if (received == -1 && stop_on_disconnect) break;
    }
}

static int serve_tcp(const char *celsius) {
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", 0);
    modbus_mapping_t *map = thermometer_map(celsius);
    if (ctx == NULL || map == NULL) return 1;
    int server = modbus_tcp_listen(ctx, 1);
    if (server < 0) return 1;
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    getsockname(server, (struct sockaddr *)&address, &length);
    printf("port %d\n", ntohs(address.sin_port));
    fflush(stdout);
    modbus_tcp_accept(ctx, &server);
    serve(ctx, map, 1);
    close(server);
    modbus_mapping_free(map);
    modbus_free(ctx);
    return 0;
}

static int serve_rtu(const char *device, const char *baud, const char *unit, const char *celsius) {
    modbus_t *ctx = modbus_new_rtu(device, atoi(baud), 'N', 8, 1);
    modbus_mapping_t *map = thermometer_map(celsius);
    if (ctx == NULL || map == NULL || modbus_set_slave(ctx, atoi(unit)) == -1 || modbus_connect(ctx) == -1) {
        fprintf(stderr, "cannot open %s: %s\n", device, modbus_strerror(errno));
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    serve(ctx, map, 0);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "tcp") == 0) return serve_tcp(argv[2]);
    if (argc == 6 && strcmp(argv[1], "rtu") == 0) return serve_rtu(argv[2], argv[3], argv[4], argv[5]);
    fprintf(stderr, "usage: libmodbus-slave tcp CELSIUS | rtu DEVICE BAUD UNIT CELSIUS\n");
    return 2;
}
