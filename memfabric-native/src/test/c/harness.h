/*
 * A small test harness for the C library's tests: every case runs in a child of fork() (so each has a process, and
 * so a JVM, of its own: a process cannot start a second JVM), under a time limit; the parent never calls the library.
 * The parent prints "ok <case>" or "FAIL <case>: ..." per case and "N passed, N failed" at the end, and exits 1 when
 * a case failed. A case fails when its process exits non-zero, is killed, or outlives its limit (then its whole
 * process group is killed).
 */
#ifndef MEMFABRIC_TEST_HARNESS_H
#define MEMFABRIC_TEST_HARNESS_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECK(condition, ...)                                                                                         \
    do {                                                                                                              \
        if (!(condition)) {                                                                                           \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #condition);                           \
            fprintf(stderr, __VA_ARGS__);                                                                             \
            fprintf(stderr, " (last error: %s)\n", smem_get_last_err_msg());                                         \
            exit(1);                                                                                                  \
        }                                                                                                             \
    } while (0)

#define CHECK_EQ(actual, expected)                                                                                    \
    CHECK((long long) (actual) == (long long) (expected), "%s = %lld, expected %lld", #actual,                       \
          (long long) (actual), (long long) (expected))

typedef void (*test_case)(void);

static int tests_passed;
static int tests_failed;

/* Waits for pid, killing its process group after limit_seconds; returns 0 when it exited 0. */
static inline int wait_child(pid_t pid, int limit_seconds, char *why, size_t why_size) {
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int status;
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                return 0;
            }
            if (WIFEXITED(status)) {
                snprintf(why, why_size, "exit code %d", WEXITSTATUS(status));
            } else {
                snprintf(why, why_size, "killed by signal %d", WTERMSIG(status));
            }
            kill(-pid, SIGKILL);
            return -1;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > limit_seconds) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            snprintf(why, why_size, "still running after %d s: killed", limit_seconds);
            return -1;
        }
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

/* Runs one case in a process group of its own. */
static inline void run_case(const char *name, test_case body, int limit_seconds) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        body();
        fflush(stdout);
        _exit(0);
    }
    setpgid(pid, pid);
    char why[128] = "";
    if (wait_child(pid, limit_seconds, why, sizeof why) == 0) {
        printf("ok %s\n", name);
        tests_passed++;
    } else {
        printf("FAIL %s: %s\n", name, why);
        tests_failed++;
    }
    fflush(stdout);
}

static inline int finish(void) {
    printf("%d passed, %d failed\n", tests_passed, tests_failed);
    return tests_failed == 0 ? 0 : 1;
}

/* A free TCP port on 127.0.0.1 (bound and released: another process may take it, which the tests tolerate). */
static inline int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || bind(fd, (struct sockaddr *) &address, sizeof address) != 0
        || getsockname(fd, (struct sockaddr *) &address, &length) != 0) {
        perror("free_port");
        exit(2);
    }
    close(fd);
    return ntohs(address.sin_port);
}

/* A process-to-process rendezvous over a pipe pair: one side waits for the other's byte. */
typedef struct {
    int fds[2];
} signal_pipe;

static inline void signal_open(signal_pipe *p) {
    if (pipe(p->fds) != 0) {
        perror("pipe");
        exit(2);
    }
}

static inline void signal_send(signal_pipe *p, const void *data, size_t size) {
    if (write(p->fds[1], data, size) != (ssize_t) size) {
        perror("signal_send");
        exit(2);
    }
}

static inline void signal_receive(signal_pipe *p, void *data, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(p->fds[0], (char *) data + done, size - done);
        if (n <= 0) {
            fprintf(stderr, "signal_receive: the other process is gone\n");
            exit(2);
        }
        done += (size_t) n;
    }
}

/* Forks a process that runs body(argument) and exits with its result. */
static inline pid_t spawn(int (*body)(void *), void *argument) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        _exit(body(argument));
    }
    return pid;
}

/* Waits for a process made by spawn; returns its exit code (128 + signal when killed). */
static inline int join_process(pid_t pid) {
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        return 255;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#endif /* MEMFABRIC_TEST_HARNESS_H */
