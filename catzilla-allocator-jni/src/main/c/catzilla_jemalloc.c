/*
 * Library entry: JNI_OnLoad / JNI_OnUnload (the only exported symbols), native method registration, jemalloc's
 * initialisation with options from Java, and the version.
 *
 * The jemalloc built for Catzilla has its library constructor neutralised (see src/main/native/jemalloc.sh), so
 * loading this library does not initialise jemalloc. It initialises on JemallocNative.initialize(conf), which
 * first points jemalloc's malloc_conf at the options Java asked for.
 */
#include "catzilla_internal.h"

#include <stdbool.h>

#define CATZILLA_NATIVE_CLASS "dev/catzilla/allocator/JemallocNative"

/*
 * jemalloc declares its (prefixed) malloc_conf weak; this strong definition is the one it reads when it
 * initialises. It points into conf_storage, which lives as long as the library.
 */
const char *catzilla_je_malloc_conf = NULL;

static char catzilla_conf_storage[4096];

static bool catzilla_initialized = false;

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
