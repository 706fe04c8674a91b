/*
 * Shared by Catzilla's JNI sources. Everything here is static (inline) or hidden: the library exports only
 * JNI_OnLoad and JNI_OnUnload (see catzilla.map).
 */
#ifndef CATZILLA_INTERNAL_H
#define CATZILLA_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jni.h>

/* Catzilla's private jemalloc: every symbol carries the catzilla_je_ prefix (configure --with-jemalloc-prefix). */
#include <jemalloc/jemalloc.h>

/* The header javac -h generates from JemallocNative: each function below is checked against its prototype. */
#include "dev_catzilla_allocator_JemallocNative.h"

/*
 * Ties a static implementation to the prototype javac generated for the Java declaration, so that a change of a
 * native method's Java signature without the matching C change fails the build.
 */
#define CATZILLA_CHECK_SIGNATURE(impl, javaName)                                                                \
	_Static_assert(__builtin_types_compatible_p(__typeof__(&impl),                                           \
			__typeof__(&Java_dev_catzilla_allocator_JemallocNative_##javaName)),                             \
		"C signature of " #impl " does not match JemallocNative." #javaName " (regenerate the header)")

/* Converts jemalloc's jlong handles to pointers and back. */
static inline void *catzilla_ptr(jlong address) {
	return (void *) (uintptr_t) address;
}

static inline jlong catzilla_address(const void *ptr) {
	return (jlong) (uintptr_t) ptr;
}

static inline const char *catzilla_errno_name(int err) {
	switch (err) {
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	case EAGAIN: return "EAGAIN";
	case EFAULT: return "EFAULT";
	case ENOMEM: return "ENOMEM";
	default: return "unknown";
	}
}

/* Throws a new exception of the given class; never fails silently (a failed throw leaves the pending error). */
static inline void catzilla_throw(JNIEnv *env, const char *className, const char *message) {
	jclass type = (*env)->FindClass(env, className);
	if (type == NULL) {
		return; /* NoClassDefFoundError (or OOM) is pending */
	}
	(*env)->ThrowNew(env, type, message);
	(*env)->DeleteLocalRef(env, type);
}

/* IllegalStateException naming the failed mallctl and its errno. */
static inline void catzilla_throw_mallctl(JNIEnv *env, const char *name, int err) {
	char message[256];
	snprintf(message, sizeof(message), "jemalloc mallctl(\"%s\") failed: errno %d (%s)", name, err,
			catzilla_errno_name(err));
	catzilla_throw(env, "java/lang/IllegalStateException", message);
}

/* Method tables, one per source file (hidden data, registered by JNI_OnLoad in catzilla_jemalloc.c). */
extern const JNINativeMethod catzilla_alloc_methods[];
extern const size_t catzilla_alloc_methods_count;
extern const JNINativeMethod catzilla_stats_methods[];
extern const size_t catzilla_stats_methods_count;

#endif
