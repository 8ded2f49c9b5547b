// The three watchdog ioctls Patroni's LinuxWatchdogDevice uses (WDIOC_GETSUPPORT, WDIOC_SETTIMEOUT,
// WDIOC_GETTIMEOUT), on a file descriptor opened by Node. Node has no ioctl; this is all the native
// code patroni-ts has. Opening, keepalive writes and the magic close 'V' stay in TypeScript.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/watchdog.h>
#include <node_api.h>

static napi_value throw_errno(napi_env env, const char *call) {
  char msg[160];
  int err = errno;
  snprintf(msg, sizeof msg, "%s: %s", call, strerror(err));
  napi_value code, text, error;
  napi_create_string_utf8(env, err == ENOTTY ? "ENOTTY" : "EIO", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_throw(env, error);
  return NULL;
}

/** Reads argument i as an int32; throws a TypeError otherwise. */
static int int_arg(napi_env env, napi_callback_info info, size_t i, int *out) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc <= i || napi_get_value_int32(env, argv[i], out) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected an integer argument");
    return 0;
  }
  return 1;
}

static napi_value get_support(napi_env env, napi_callback_info info) {
  int fd;
  if (!int_arg(env, info, 0, &fd)) return NULL;
  struct watchdog_info wi;
  memset(&wi, 0, sizeof wi);
  if (ioctl(fd, WDIOC_GETSUPPORT, &wi) < 0) return throw_errno(env, "WDIOC_GETSUPPORT");
  char identity[sizeof wi.identity + 1];
  memcpy(identity, wi.identity, sizeof wi.identity);
  identity[sizeof wi.identity] = 0;
  napi_value obj, options, firmware, ident;
  napi_create_object(env, &obj);
  napi_create_uint32(env, wi.options, &options);
  napi_create_uint32(env, wi.firmware_version, &firmware);
  napi_create_string_utf8(env, identity, NAPI_AUTO_LENGTH, &ident);
  napi_set_named_property(env, obj, "options", options);
  napi_set_named_property(env, obj, "firmwareVersion", firmware);
  napi_set_named_property(env, obj, "identity", ident);
  return obj;
}

static napi_value set_timeout(napi_env env, napi_callback_info info) {
  int fd, timeout;
  if (!int_arg(env, info, 0, &fd) || !int_arg(env, info, 1, &timeout)) return NULL;
  if (ioctl(fd, WDIOC_SETTIMEOUT, &timeout) < 0) return throw_errno(env, "WDIOC_SETTIMEOUT");
  napi_value result;
  napi_create_int32(env, timeout, &result);
  return result;
}

static napi_value get_timeout(napi_env env, napi_callback_info info) {
  int fd, timeout = 0;
  if (!int_arg(env, info, 0, &fd)) return NULL;
  if (ioctl(fd, WDIOC_GETTIMEOUT, &timeout) < 0) return throw_errno(env, "WDIOC_GETTIMEOUT");
  napi_value result;
  napi_create_int32(env, timeout, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "getSupport", NULL, get_support, NULL, NULL, NULL, napi_default, NULL },
    { "setTimeout", NULL, set_timeout, NULL, NULL, NULL, napi_default, NULL },
    { "getTimeout", NULL, get_timeout, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
