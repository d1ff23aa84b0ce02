/*
 * The JVM of this process (JNI Invocation API, as Hadoop's libhdfs): found, loaded with dlopen and started on first
 * use; every thread that calls the library is attached once (as a daemon, detached when the thread ends) and keeps
 * its JNIEnv in thread-local storage. The bridge classes' method IDs are resolved once, when the JVM starts.
 *
 * Which JDK: $MEMFABRIC_JAVA_HOME (must be a JDK >= 25), else $JAVA_HOME when it is one, else the newest JDK >= 25
 * under /usr/lib/jvm, else the one of `java` on the PATH (the order of the project's bin/lib/jdk.sh).
 * Its class path: $MEMFABRIC_CLASSPATH, else every jar in the lib folder beside libmemfabric.so.
 * Its options: -Xrs (the JVM leaves SIGINT, SIGTERM, SIGHUP and SIGQUIT to the host program: Ctrl-C reaches Python),
 * --enable-native-access=ALL-UNNAMED, memfabric's log provider (io.memfabric.nativeapi.log), then $MEMFABRIC_JVM_OPTS
 * (split at white space).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge.h"

#define MF_MIN_JAVA 25
#define MF_MAX_OPTIONS 64

__thread JNIEnv *mf_tls_env;

/* The APIs whose classes and methods are resolved at start; SHM's table goes here too. */
static const mf_api *const APIS[] = {&mf_common_api, &mf_bm_api, &mf_trans_api};

static JavaVM *vm;
static pthread_once_t vm_once = PTHREAD_ONCE_INIT;
static pthread_key_t detach_key;
/* Why the JVM could not start (set once, by the thread that tried). */
static char vm_error[2048];
/* Set in a child of fork(): the JVM's threads did not survive it, and a process cannot start a second JVM. */
static volatile int forked;

/* @return the major version of the JDK at home (its release file), or 0 when it is not a JDK with a libjvm.so. */
static int jdk_major(const char *home, char *libjvm, size_t libjvm_size) {
    char path[PATH_MAX];
    struct stat st;
    snprintf(libjvm, libjvm_size, "%s/lib/server/libjvm.so", home);
    if (stat(libjvm, &st) != 0) {
        return 0;
    }
    snprintf(path, sizeof path, "%s/release", home);
    FILE *release = fopen(path, "r");
    if (release == NULL) {
        return 0;
    }
    char line[512];
    int major = 0;
    while (fgets(line, sizeof line, release) != NULL) {
        if (strncmp(line, "JAVA_VERSION=\"", 14) == 0) {
            major = atoi(line + 14);
            if (major == 1) { /* 1.8 and older */
                major = atoi(line + 16);
            }
            break;
        }
    }
    fclose(release);
    return major;
}

static int usable(const char *home, char *libjvm, size_t libjvm_size) {
    return home != NULL && home[0] != '\0' && jdk_major(home, libjvm, libjvm_size) >= MF_MIN_JAVA;
}

static int by_version_descending(const struct dirent **a, const struct dirent **b) {
    return versionsort(b, a);
}

/* Finds a JDK >= 25; fills libjvm, or vm_error and returns -1. */
static int find_libjvm(char *libjvm, size_t libjvm_size) {
    const char *explicit_home = getenv("MEMFABRIC_JAVA_HOME");
    if (explicit_home != NULL && explicit_home[0] != '\0') {
        if (usable(explicit_home, libjvm, libjvm_size)) {
            return 0;
        }
        snprintf(vm_error, sizeof vm_error, "MEMFABRIC_JAVA_HOME=%s is not a JDK %d or newer with lib/server/libjvm.so",
                 explicit_home, MF_MIN_JAVA);
        return -1;
    }
    if (usable(getenv("JAVA_HOME"), libjvm, libjvm_size)) {
        return 0;
    }
    struct dirent **entries;
    int n = scandir("/usr/lib/jvm", &entries, NULL, by_version_descending);
    int found = 0;
    for (int i = 0; i < n; i++) {
        char home[PATH_MAX];
        snprintf(home, sizeof home, "/usr/lib/jvm/%s", entries[i]->d_name);
        if (!found && entries[i]->d_name[0] != '.' && usable(home, libjvm, libjvm_size)) {
            found = 1;
        }
        free(entries[i]);
    }
    if (n >= 0) {
        free(entries);
    }
    if (found) {
        return 0;
    }
    const char *path = getenv("PATH");
    if (path != NULL) {
        char *copy = strdup(path);
        for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
            char candidate[PATH_MAX];
            char resolved[PATH_MAX];
            snprintf(candidate, sizeof candidate, "%s/java", dir);
            if (realpath(candidate, resolved) == NULL) {
                continue;
            }
            char *bin = strrchr(resolved, '/');
            if (bin == NULL) {
                continue;
            }
            *bin = '\0'; /* .../bin */
            bin = strrchr(resolved, '/');
            if (bin == NULL) {
                continue;
            }
            *bin = '\0'; /* the home */
            if (usable(resolved, libjvm, libjvm_size)) {
                found = 1;
                break;
            }
        }
        free(copy);
    }
    if (found) {
        return 0;
    }
    snprintf(vm_error, sizeof vm_error, "no JDK %d or newer found (looked at MEMFABRIC_JAVA_HOME, JAVA_HOME=%s, "
             "/usr/lib/jvm/* and `java` on the PATH): install one (e.g. temurin-25-jdk) or point MEMFABRIC_JAVA_HOME "
             "at it", MF_MIN_JAVA, getenv("JAVA_HOME") != NULL ? getenv("JAVA_HOME") : "(unset)");
    return -1;
}

static int by_name(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_jar(const struct dirent *entry) {
    size_t n = strlen(entry->d_name);
    return n > 4 && strcmp(entry->d_name + n - 4, ".jar") == 0;
}

/* "-Djava.class.path=" and the class path (malloc'ed), or NULL with vm_error set. */
static char *class_path_option(void) {
    const char *explicit_path = getenv("MEMFABRIC_CLASSPATH");
    if (explicit_path != NULL && explicit_path[0] != '\0') {
        char *option = malloc(strlen(explicit_path) + 32);
        sprintf(option, "-Djava.class.path=%s", explicit_path);
        return option;
    }
    Dl_info info;
    if (dladdr((void *) &class_path_option, &info) == 0 || info.dli_fname == NULL) {
        snprintf(vm_error, sizeof vm_error, "cannot tell where libmemfabric.so is (dladdr failed): set "
                 "MEMFABRIC_CLASSPATH");
        return NULL;
    }
    char lib[PATH_MAX];
    char resolved[PATH_MAX];
    if (realpath(info.dli_fname, resolved) == NULL) {
        snprintf(resolved, sizeof resolved, "%s", info.dli_fname);
    }
    char *slash = strrchr(resolved, '/');
    if (slash != NULL) {
        *slash = '\0';
    }
    snprintf(lib, sizeof lib, "%s/lib", slash != NULL ? resolved : ".");
    struct dirent **jars;
    int n = scandir(lib, &jars, is_jar, by_name);
    if (n <= 0) {
        snprintf(vm_error, sizeof vm_error, "no jars in %s (the lib folder beside libmemfabric.so, where the build "
                 "puts memfabric's jars): rebuild, or set MEMFABRIC_CLASSPATH", lib);
        if (n == 0) {
            free(jars);
        }
        return NULL;
    }
    size_t length = 32;
    for (int i = 0; i < n; i++) {
        length += strlen(lib) + strlen(jars[i]->d_name) + 2;
    }
    char *option = malloc(length);
    char *end = option + sprintf(option, "-Djava.class.path=");
    for (int i = 0; i < n; i++) {
        end += sprintf(end, "%s%s/%s", i == 0 ? "" : ":", lib, jars[i]->d_name);
        free(jars[i]);
    }
    free(jars);
    return option;
}

static void detach(void *value) {
    JavaVM *owner = (JavaVM *) value;
    if (owner != NULL && !forked) {
        (*owner)->DetachCurrentThread(owner);
    }
}

static void in_forked_child(void) {
    forked = 1;
    mf_tls_env = NULL;
}

static int resolve(JNIEnv *env) {
    for (size_t a = 0; a < sizeof APIS / sizeof APIS[0]; a++) {
        const mf_api *api = APIS[a];
        jclass local = (*env)->FindClass(env, api->class_name);
        if (local == NULL) {
            (*env)->ExceptionClear(env);
            snprintf(vm_error, sizeof vm_error, "class %s not found on the JVM's class path (a jar missing?)",
                     api->class_name);
            return -1;
        }
        *api->cls = (jclass) (*env)->NewGlobalRef(env, local);
        (*env)->DeleteLocalRef(env, local);
        for (const mf_method *m = api->methods; m->name != NULL; m++) {
            *m->id = (*env)->GetStaticMethodID(env, *api->cls, m->name, m->signature);
            if (*m->id == NULL) {
                (*env)->ExceptionClear(env);
                snprintf(vm_error, sizeof vm_error, "method %s.%s%s not found (libmemfabric.so and the jars are of "
                         "different builds?)", api->class_name, m->name, m->signature);
                return -1;
            }
        }
    }
    mf_log_register(env);
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionClear(env);
        snprintf(vm_error, sizeof vm_error, "cannot register the log sink's native method");
        return -1;
    }
    return 0;
}

static void start_vm(void) {
    pthread_key_create(&detach_key, detach);
    pthread_atfork(NULL, NULL, in_forked_child);
    char libjvm[PATH_MAX];
    if (find_libjvm(libjvm, sizeof libjvm) != 0) {
        return;
    }
    void *handle = dlopen(libjvm, RTLD_NOW | RTLD_GLOBAL);
    if (handle == NULL) {
        snprintf(vm_error, sizeof vm_error, "cannot load %s: %s", libjvm, dlerror());
        return;
    }
    jint (*create)(JavaVM **, void **, void *) = (jint(*)(JavaVM **, void **, void *)) dlsym(handle,
                                                                                              "JNI_CreateJavaVM");
    if (create == NULL) {
        snprintf(vm_error, sizeof vm_error, "%s has no JNI_CreateJavaVM", libjvm);
        return;
    }
    char *class_path = class_path_option();
    if (class_path == NULL) {
        return;
    }
    JavaVMOption options[MF_MAX_OPTIONS];
    int n = 0;
    char log_level[64];
    snprintf(log_level, sizeof log_level, "-Dmemfabric.native.log.level=%d", mf_log_level());
    options[n++].optionString = class_path;
    options[n++].optionString = "-Xrs";
    options[n++].optionString = "--enable-native-access=ALL-UNNAMED";
    options[n++].optionString = "-Dslf4j.provider=io.memfabric.nativeapi.log.NativeLogProvider";
    options[n++].optionString = "-Dslf4j.internal.verbosity=WARN";
    options[n++].optionString = log_level;
    char *extra = getenv("MEMFABRIC_JVM_OPTS") != NULL ? strdup(getenv("MEMFABRIC_JVM_OPTS")) : NULL;
    if (extra != NULL) {
        for (char *save = NULL, *word = strtok_r(extra, " \t\n", &save); word != NULL && n < MF_MAX_OPTIONS;
             word = strtok_r(NULL, " \t\n", &save)) {
            options[n++].optionString = word;
        }
    }
    for (int i = 0; i < n; i++) {
        options[i].extraInfo = NULL;
    }
    JavaVMInitArgs args = {.version = JNI_VERSION_21, .nOptions = n, .options = options,
                           .ignoreUnrecognized = JNI_FALSE};
    JNIEnv *env;
    JavaVM *created;
    /* class_path and extra are not freed: the JVM may keep pointers to option strings, and they are made once. */
    jint rc = create(&created, (void **) &env, &args);
    if (rc != JNI_OK) {
        snprintf(vm_error, sizeof vm_error, "JNI_CreateJavaVM of %s failed (%d); check MEMFABRIC_JVM_OPTS", libjvm,
                 (int) rc);
        return;
    }
    if (resolve(env) != 0) {
        return;
    }
    vm = created;
}

JNIEnv *mf_env_slow(void) {
    if (forked) {
        mf_fail(SM_ERROR, "memfabric is not usable in a child of fork() once the parent has started its JVM: the "
                "JVM's threads do not survive fork, and a process cannot start a second JVM (fork before the first "
                "memfabric call, or exec a new program)");
        return NULL;
    }
    pthread_once(&vm_once, start_vm);
    if (vm == NULL) {
        mf_fail(SM_ERROR, "cannot start the JVM: %s", vm_error);
        return NULL;
    }
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **) &env, JNI_VERSION_21) != JNI_OK) {
        JavaVMAttachArgs attach = {.version = JNI_VERSION_21, .name = "memfabric-native-caller", .group = NULL};
        if ((*vm)->AttachCurrentThreadAsDaemon(vm, (void **) &env, &attach) != JNI_OK) {
            mf_fail(SM_ERROR, "cannot attach this thread to the JVM");
            return NULL;
        }
    }
    pthread_setspecific(detach_key, vm);
    mf_tls_env = env;
    return env;
}
