/*
 * Library entry: JNI_OnLoad / JNI_OnUnload (the only exported symbols), native method registration, jemalloc's
 * initialisation with options from Java, and the version.
 *
 * The jemalloc built for Catzilla has its library constructor neutralised (see src/main/native/jemalloc.sh), so
 * loading this library does not initialise jemalloc. It initialises on JemallocNative.initialize(conf), which
 * first points jemalloc's malloc_conf at the options Java asked for.
 */
#include "catzilla_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define CATZILLA_NATIVE_CLASS "dev/catzilla/allocator/JemallocNative"

/*
 * jemalloc declares its (prefixed) malloc_conf weak; this strong definition is the one it reads when it
 * initialises. It points into conf_storage, which lives as long as the library.
 */
const char *catzilla_je_malloc_conf = NULL;

static char catzilla_conf_storage[4096];

static bool catzilla_initialized = false;

/*
 * jemalloc purges a freed extent of oversize_threshold (8 MiB) or more at once, whatever the decay settings
 * ("shortcut to purge the oversize extent eagerly", extent.c), so every allocation of a large buffer faults all its
 * pages in again. Catzilla's options set oversize_threshold:0, which turns that off (and the huge arena) for arenas
 * made from now on; arena 0 was made before the option took effect and keeps 8 MiB, so it is set here too. Freed
 * oversize extents then decay like any other (dirty_decay_ms). Only when opt.oversize_threshold is 0: an explicit
 * threshold (CATZILLA_JE_MALLOC_CONF) is left as the user chose. Returns 0, or the mallctl error (thrown).
 */
static int catzilla_keep_oversize_extents(JNIEnv *env) {
	size_t threshold = 1;
	size_t length = sizeof(threshold);
	int err = catzilla_je_mallctl("opt.oversize_threshold", &threshold, &length, NULL, 0);
	if (err != 0) {
		catzilla_throw_mallctl(env, "opt.oversize_threshold", err);
		return err;
	}
	if (threshold != 0) {
		return 0;
	}
	unsigned narenas = 0;
	length = sizeof(narenas);
	err = catzilla_je_mallctl("arenas.narenas", &narenas, &length, NULL, 0);
	if (err != 0) {
		catzilla_throw_mallctl(env, "arenas.narenas", err);
		return err;
	}
	size_t mib[3];
	size_t miblen = sizeof(mib) / sizeof(mib[0]);
	err = catzilla_je_mallctlnametomib("arena.0.oversize_threshold", mib, &miblen);
	if (err != 0) {
		catzilla_throw_mallctl(env, "arena.0.oversize_threshold", err);
		return err;
	}
	size_t never = SIZE_MAX;
	for (unsigned i = 0; i < narenas; i++) {
		mib[1] = i;
		err = catzilla_je_mallctlbymib(mib, miblen, NULL, NULL, &never, sizeof(never));
		/* EFAULT: arena i is not made yet; it will take the option's threshold when it is. */
		if (err != 0 && err != EFAULT) {
			catzilla_throw_mallctl(env, "arena.<i>.oversize_threshold", err);
			return err;
		}
	}
	return 0;
}

/* Sets malloc_conf and forces jemalloc to initialise (Java calls this once, under a lock). */
static void JNICALL catzilla_initialize(JNIEnv *env, jclass clazz, jstring conf) {
	(void) clazz;
	if (catzilla_initialized) {
		catzilla_throw(env, "java/lang/IllegalStateException", "jemalloc is already initialised");
		return;
	}
	if (conf != NULL) {
		jsize utfLength = (*env)->GetStringUTFLength(env, conf);
		if (utfLength < 0 || (size_t) utfLength >= sizeof(catzilla_conf_storage)) {
			catzilla_throw(env, "java/lang/IllegalArgumentException",
					"jemalloc option string is longer than 4095 bytes");
			return;
		}
		(*env)->GetStringUTFRegion(env, conf, 0, (*env)->GetStringLength(env, conf), catzilla_conf_storage);
		if ((*env)->ExceptionCheck(env)) {
			return;
		}
		catzilla_conf_storage[utfLength] = '\0';
		catzilla_je_malloc_conf = catzilla_conf_storage;
	}
	/* Any mallctl initialises jemalloc first; EAGAIN means initialisation failed. */
	unsigned narenas = 0;
	size_t length = sizeof(narenas);
	int err = catzilla_je_mallctl("arenas.narenas", &narenas, &length, NULL, 0);
	if (err != 0) {
		catzilla_throw_mallctl(env, "arenas.narenas", err);
		return;
	}
	err = catzilla_keep_oversize_extents(env);
	if (err != 0) {
		return;
	}
	catzilla_initialized = true;
}

/* The version jemalloc was built from (compile-time constant: reading it does not initialise jemalloc). */
static jstring JNICALL catzilla_version(JNIEnv *env, jclass clazz) {
	(void) clazz;
	return (*env)->NewStringUTF(env, JEMALLOC_VERSION);
}

CATZILLA_CHECK_SIGNATURE(catzilla_initialize, initialize);
CATZILLA_CHECK_SIGNATURE(catzilla_version, version);

static const JNINativeMethod catzilla_init_methods[] = {
	{ "initialize", "(Ljava/lang/String;)V", (void *) catzilla_initialize },
	{ "version", "()Ljava/lang/String;", (void *) catzilla_version },
};

static bool catzilla_register(JNIEnv *env, jclass clazz, const JNINativeMethod *methods, size_t count) {
	return (*env)->RegisterNatives(env, clazz, methods, (jint) count) == JNI_OK;
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
	(void) reserved;
	JNIEnv *env = NULL;
	if ((*vm)->GetEnv(vm, (void **) &env, JNI_VERSION_1_8) != JNI_OK) {
		return JNI_ERR;
	}
	jclass clazz = (*env)->FindClass(env, CATZILLA_NATIVE_CLASS);
	if (clazz == NULL) {
		return JNI_ERR; /* NoClassDefFoundError pending: System.load reports it */
	}
	bool ok = catzilla_register(env, clazz, catzilla_init_methods,
					  sizeof(catzilla_init_methods) / sizeof(catzilla_init_methods[0]))
			&& catzilla_register(env, clazz, catzilla_alloc_methods, catzilla_alloc_methods_count)
			&& catzilla_register(env, clazz, catzilla_stats_methods, catzilla_stats_methods_count);
	(*env)->DeleteLocalRef(env, clazz);
	return ok ? JNI_VERSION_1_8 : JNI_ERR;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved) {
	(void) vm;
	(void) reserved;
	/*
	 * Only runs when the class loader that loaded us is collected. jemalloc keeps its memory and threads: buffers
	 * still referenced elsewhere must stay valid, and jemalloc has no supported way to shut down.
	 */
}
