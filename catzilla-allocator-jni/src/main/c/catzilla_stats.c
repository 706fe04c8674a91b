/*
 * Introspection and maintenance through mallctl: statistics read by name, purge, the effective opt.* values and the size
 * classes. Not on the hot path; every mallctl result is checked and a failure raises IllegalStateException
 * (mallctl name + errno).
 */
#include "catzilla_internal.h"

#include <stdbool.h>
#include <sys/types.h>

/*
 * The C types of the statistics Java reads by name (JemallocStatistic.CType: the same numbers). Reading a value
 * with the wrong type is undefined in general; jemalloc's READ() answers EINVAL when the length differs, so every
 * read passes the exact size of its type and a mismatch becomes an IllegalStateException, never a crash.
 */
enum {
	CATZILLA_SIZE_T = 0,
	CATZILLA_UNSIGNED = 1,
	CATZILLA_UINT32 = 2,
	CATZILLA_UINT64 = 3,
	CATZILLA_BOOL = 4,
};

/* JemallocStatistic.ARENAS_ALL spells MALLCTL_ARENAS_ALL into mallctl names (stats.arenas.4096.pdirty). */
_Static_assert(MALLCTL_ARENAS_ALL == 4096, "JemallocStatistic.ARENAS_ALL must equal MALLCTL_ARENAS_ALL");

/* Reads one value of the given type; false with a pending exception on failure. */
static bool catzilla_read_typed(JNIEnv *env, const char *name, jint type, jlong *out) {
	int err;
	switch (type) {
	case CATZILLA_SIZE_T: {
		size_t value = 0;
		size_t length = sizeof(value);
		err = catzilla_je_mallctl(name, &value, &length, NULL, 0);
		*out = (jlong) value;
		break;
	}
	case CATZILLA_UNSIGNED: {
		unsigned value = 0;
		size_t length = sizeof(value);
		err = catzilla_je_mallctl(name, &value, &length, NULL, 0);
		*out = (jlong) value;
		break;
	}
	case CATZILLA_UINT32: {
		uint32_t value = 0;
		size_t length = sizeof(value);
		err = catzilla_je_mallctl(name, &value, &length, NULL, 0);
		*out = (jlong) value;
		break;
	}
	case CATZILLA_UINT64: {
		uint64_t value = 0;
		size_t length = sizeof(value);
		err = catzilla_je_mallctl(name, &value, &length, NULL, 0);
		*out = (jlong) value;
		break;
	}
	case CATZILLA_BOOL: {
		bool value = false;
		size_t length = sizeof(value);
		err = catzilla_je_mallctl(name, &value, &length, NULL, 0);
		*out = value ? 1 : 0;
		break;
	}
	default: {
		char message[192];
		snprintf(message, sizeof(message), "unknown C type %d for mallctl \"%s\"", (int) type, name);
		catzilla_throw(env, "java/lang/IllegalArgumentException", message);
		return false;
	}
	}
	if (err != 0) {
		catzilla_throw_mallctl(env, name, err);
		return false;
	}
	return true;
}

/* Reads the mallctl named names[i] with C type types[i] into values[i]; false with a pending exception on failure. */
static bool catzilla_read_one(JNIEnv *env, jobjectArray names, jint type, jsize i, jlongArray values) {
	jstring name = (jstring) (*env)->GetObjectArrayElement(env, names, i);
	if (name == NULL) {
		if (!(*env)->ExceptionCheck(env)) {
			catzilla_throw(env, "java/lang/IllegalArgumentException", "a statistic's mallctl name is null");
		}
		return false;
	}
	const char *utf = (*env)->GetStringUTFChars(env, name, NULL);
	if (utf == NULL) {
		(*env)->DeleteLocalRef(env, name);
		return false; /* OutOfMemoryError pending */
	}
	jlong value = 0;
	bool ok = catzilla_read_typed(env, utf, type, &value);
	(*env)->ReleaseStringUTFChars(env, name, utf);
	(*env)->DeleteLocalRef(env, name);
	if (!ok) {
		return false;
	}
	(*env)->SetLongArrayRegion(env, values, i, 1, &value);
	return !(*env)->ExceptionCheck(env);
}

/*
 * Reads statistics by name: refreshes jemalloc's epoch first when refresh is true, then reads each mallctl in names
 * with its C type (types, JemallocStatistic.CType codes) into values. The names come from Java; this side knows
 * none of them. Any failure throws (IllegalStateException naming the mallctl, IllegalArgumentException for bad
 * arguments) and leaves values partly written.
 */
static void JNICALL catzilla_statistics(JNIEnv *env, jclass clazz, jboolean refresh, jobjectArray names,
		jintArray types, jlongArray values) {
	(void) clazz;
	if (names == NULL || types == NULL || values == NULL) {
		catzilla_throw(env, "java/lang/IllegalArgumentException", "statistics needs names, types and values");
		return;
	}
	jsize count = (*env)->GetArrayLength(env, names);
	if ((*env)->GetArrayLength(env, types) != count || (*env)->GetArrayLength(env, values) != count) {
		catzilla_throw(env, "java/lang/IllegalArgumentException",
				"statistics needs names, types and values of the same length");
		return;
	}
	if (refresh) {
		uint64_t epoch = 1;
		size_t epochLength = sizeof(epoch);
		int err = catzilla_je_mallctl("epoch", &epoch, &epochLength, &epoch, sizeof(epoch));
		if (err != 0) {
			catzilla_throw_mallctl(env, "epoch", err);
			return;
		}
	}
	for (jsize i = 0; i < count; i++) {
		jint type = 0;
		(*env)->GetIntArrayRegion(env, types, i, 1, &type);
		if ((*env)->ExceptionCheck(env) || !catzilla_read_one(env, names, type, i, values)) {
			return;
		}
	}
}

/*
 * thread.tcache.flush: returns what the calling thread's own jemalloc cache holds to its arena. EFAULT: this thread
 * has no jemalloc cache (tcache off), nothing to flush. False with a pending exception on failure.
 */
static bool catzilla_flush_own_cache(JNIEnv *env) {
	int err = catzilla_je_mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
	if (err != 0 && err != EFAULT) {
		catzilla_throw_mallctl(env, "thread.tcache.flush", err);
		return false;
	}
	return true;
}

/*
 * The flush alone, called on each event loop when a load has ended, so that the purge that follows gives those
 * pages back too.
 */
static void JNICALL catzilla_flush_thread_cache(JNIEnv *env, jclass clazz) {
	(void) clazz;
	(void) catzilla_flush_own_cache(env);
}

/*
 * thread.tcache.flush, then arena.<MALLCTL_ARENAS_ALL>.purge: gives unused dirty and muzzy pages of every arena back
 * to the OS. The flush first returns what the calling thread's own jemalloc cache holds (e.g. the blocks the quiet
 * purge has just freed out of Catzilla's hand-off cache), so that they are purged too instead of decaying later.
 */
static void JNICALL catzilla_purge(JNIEnv *env, jclass clazz) {
	(void) clazz;
	if (!catzilla_flush_own_cache(env)) {
		return;
	}
	static const char name[] = "arena.0.purge";
	size_t mib[3];
	size_t mibLength = sizeof(mib) / sizeof(mib[0]);
	int err = catzilla_je_mallctlnametomib(name, mib, &mibLength);
	if (err != 0) {
		catzilla_throw_mallctl(env, name, err);
		return;
	}
	mib[1] = MALLCTL_ARENAS_ALL;
	err = catzilla_je_mallctlbymib(mib, mibLength, NULL, NULL, NULL, 0);
	if (err != 0) {
		catzilla_throw_mallctl(env, "arena.<ALL>.purge", err);
	}
}

/* Reads an unsigned count (arenas.nbins, arenas.nlextents); false with a pending exception on failure. */
static bool catzilla_read_count(JNIEnv *env, const char *name, unsigned *out) {
	size_t length = sizeof(*out);
	int err = catzilla_je_mallctl(name, out, &length, NULL, 0);
	if (err != 0) {
		catzilla_throw_mallctl(env, name, err);
		return false;
	}
	return true;
}

/*
 * Appends the sizes of the classes named by pattern ("arenas.bin.0.size" or "arenas.lextent.0.size", index at
 * mib[2]) that are at most maxSize; false with a pending exception on failure.
 */
static bool catzilla_append_classes(JNIEnv *env, const char *pattern, unsigned count, jlong maxSize, jlong *sizes,
		size_t capacity, size_t *used) {
	size_t mib[4];
	size_t mibLength = sizeof(mib) / sizeof(mib[0]);
	int err = catzilla_je_mallctlnametomib(pattern, mib, &mibLength);
	if (err != 0) {
		catzilla_throw_mallctl(env, pattern, err);
		return false;
	}
	for (unsigned i = 0; i < count; i++) {
		size_t size = 0;
		size_t length = sizeof(size);
		mib[2] = i;
		err = catzilla_je_mallctlbymib(mib, mibLength, &size, &length, NULL, 0);
		if (err != 0) {
			catzilla_throw_mallctl(env, pattern, err);
			return false;
		}
		if (size > (size_t) maxSize) {
			break; /* classes are ascending */
		}
		if (*used == capacity) {
			catzilla_throw(env, "java/lang/IllegalStateException", "more jemalloc size classes than expected");
			return false;
		}
		sizes[(*used)++] = (jlong) size;
	}
	return true;
}

/*
 * The sizes of jemalloc's size classes up to maxSize, ascending: the small classes (arenas.bin.<i>.size), then the
 * large ones (arenas.lextent.<i>.size).
 */
static jlongArray JNICALL catzilla_size_classes(JNIEnv *env, jclass clazz, jlong maxSize) {
	(void) clazz;
	unsigned nbins = 0;
	unsigned nlextents = 0;
	if (!catzilla_read_count(env, "arenas.nbins", &nbins)
			|| !catzilla_read_count(env, "arenas.nlextents", &nlextents)) {
		return NULL;
	}
	jlong sizes[512];
	size_t used = 0;
	const size_t capacity = sizeof(sizes) / sizeof(sizes[0]);
	if (!catzilla_append_classes(env, "arenas.bin.0.size", nbins, maxSize, sizes, capacity, &used)
			|| !catzilla_append_classes(env, "arenas.lextent.0.size", nlextents, maxSize, sizes, capacity, &used)) {
		return NULL;
	}
	jlongArray result = (*env)->NewLongArray(env, (jsize) used);
	if (result == NULL) {
		return NULL; /* OutOfMemoryError pending */
	}
	(*env)->SetLongArrayRegion(env, result, 0, (jsize) used, sizes);
	if ((*env)->ExceptionCheck(env)) {
		(*env)->DeleteLocalRef(env, result);
		return NULL;
	}
	return result;
}

/* The C type of an opt.* value: reading one with the wrong type is undefined (it crashed a JVM once). */
typedef enum { OPT_BOOL, OPT_UNSIGNED, OPT_SIZE, OPT_SSIZE, OPT_STRING } catzilla_opt_type;

typedef struct {
	const char *name; /* without the "opt." prefix */
	catzilla_opt_type type;
} catzilla_opt;

/* Types as declared in jemalloc 5.3.0's src/ctl.c (CTL_RO_NL_GEN / CTL_RO_NL_CGEN). */
static const catzilla_opt catzilla_opts[] = {
	{ "abort", OPT_BOOL },
	{ "abort_conf", OPT_BOOL },
	{ "cache_oblivious", OPT_BOOL },
	{ "confirm_conf", OPT_BOOL },
	{ "hpa", OPT_BOOL },
	{ "metadata_thp", OPT_STRING },
	{ "retain", OPT_BOOL },
	{ "dss", OPT_STRING },
	{ "narenas", OPT_UNSIGNED },
	{ "percpu_arena", OPT_STRING },
	{ "oversize_threshold", OPT_SIZE },
	{ "background_thread", OPT_BOOL },
	{ "max_background_threads", OPT_SIZE },
	{ "dirty_decay_ms", OPT_SSIZE },
	{ "muzzy_decay_ms", OPT_SSIZE },
	{ "junk", OPT_STRING },
	{ "zero", OPT_BOOL },
	{ "tcache", OPT_BOOL },
	{ "tcache_max", OPT_SIZE },
	{ "thp", OPT_STRING },
	{ "lg_extent_max_active_fit", OPT_SIZE },
	{ "stats_print", OPT_BOOL },
	{ "zero_realloc", OPT_STRING },
};

/* Formats one option's value into buffer; returns false with a pending exception on failure. */
static bool catzilla_read_opt(JNIEnv *env, const catzilla_opt *opt, char *buffer, size_t bufferLength) {
	char name[64];
	snprintf(name, sizeof(name), "opt.%s", opt->name);
	int err;
	switch (opt->type) {
	case OPT_BOOL: {
		bool value = false;
		size_t length = sizeof(value);
		err = catzilla_je_mallctl(name, &value, &length, NULL, 0);
		if (err == 0) {
			snprintf(buffer, bufferLength, "%s", value ? "true" : "false");
		}
		break;
	}
	case OPT_UNSIGNED: {
		unsigned value = 0;
		size_t length = sizeof(value);
		err = catzilla_je_mallctl(name, &value, &length, NULL, 0);
		if (err == 0) {
			snprintf(buffer, bufferLength, "%u", value);
		}
		break;
	}
	case OPT_SIZE: {
		size_t value = 0;
		size_t length = sizeof(value);
		err = catzilla_je_mallctl(name, &value, &length, NULL, 0);
		if (err == 0) {
			snprintf(buffer, bufferLength, "%zu", value);
		}
		break;
	}
	case OPT_SSIZE: {
		ssize_t value = 0;
		size_t length = sizeof(value);
		err = catzilla_je_mallctl(name, &value, &length, NULL, 0);
		if (err == 0) {
			snprintf(buffer, bufferLength, "%zd", value);
		}
		break;
	}
	case OPT_STRING: {
		const char *value = NULL;
		size_t length = sizeof(value);
		err = catzilla_je_mallctl(name, (void *) &value, &length, NULL, 0);
		if (err == 0) {
			snprintf(buffer, bufferLength, "%s", value != NULL ? value : "");
		}
		break;
	}
	default:
		err = EINVAL;
		break;
	}
	if (err != 0) {
		catzilla_throw_mallctl(env, name, err);
		return false;
	}
	return true;
}

/* Stores a new Java string at index, releasing the local reference; false with a pending exception on failure. */
static bool catzilla_set_string(JNIEnv *env, jobjectArray array, jsize index, const char *value) {
	jstring string = (*env)->NewStringUTF(env, value);
	if (string == NULL) {
		return false;
	}
	(*env)->SetObjectArrayElement(env, array, index, string);
	(*env)->DeleteLocalRef(env, string);
	return !(*env)->ExceptionCheck(env);
}

/* The effective opt.* values as alternating name/value pairs. */
static jobjectArray JNICALL catzilla_options(JNIEnv *env, jclass clazz) {
	(void) clazz;
	const jsize count = (jsize) (sizeof(catzilla_opts) / sizeof(catzilla_opts[0]));
	jclass stringClass = (*env)->FindClass(env, "java/lang/String");
	if (stringClass == NULL) {
		return NULL;
	}
	jobjectArray result = (*env)->NewObjectArray(env, 2 * count, stringClass, NULL);
	(*env)->DeleteLocalRef(env, stringClass);
	if (result == NULL) {
		return NULL;
	}
	char value[256];
	for (jsize i = 0; i < count; i++) {
		if (!catzilla_read_opt(env, &catzilla_opts[i], value, sizeof(value))
				|| !catzilla_set_string(env, result, 2 * i, catzilla_opts[i].name)
				|| !catzilla_set_string(env, result, 2 * i + 1, value)) {
			(*env)->DeleteLocalRef(env, result);
			return NULL;
		}
	}
	return result;
}

CATZILLA_CHECK_SIGNATURE(catzilla_statistics, statistics);
CATZILLA_CHECK_SIGNATURE(catzilla_purge, purge);
CATZILLA_CHECK_SIGNATURE(catzilla_flush_thread_cache, flushThreadCache);
CATZILLA_CHECK_SIGNATURE(catzilla_options, options);
CATZILLA_CHECK_SIGNATURE(catzilla_size_classes, sizeClasses);

const JNINativeMethod catzilla_stats_methods[] = {
	{ "statistics", "(Z[Ljava/lang/String;[I[J)V", (void *) catzilla_statistics },
	{ "purge", "()V", (void *) catzilla_purge },
	{ "flushThreadCache", "()V", (void *) catzilla_flush_thread_cache },
	{ "options", "()[Ljava/lang/String;", (void *) catzilla_options },
	{ "sizeClasses", "(J)[J", (void *) catzilla_size_classes },
};
const size_t catzilla_stats_methods_count = sizeof(catzilla_stats_methods) / sizeof(catzilla_stats_methods[0]);
