/* cs-error.h: the CS_ERROR domain, one code per CapSolver errorCode
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__CAPSOLVER_GLIB_INSIDE__) && !defined(CAPSOLVER_GLIB_COMPILATION)
#error "Only <capsolver-glib.h> can be included directly."
#endif

#include <glib.h>
#include "cs-version.h"

G_BEGIN_DECLS

/**
 * CS_ERROR:
 *
 * The error domain of capsolver-glib: every `errorCode` the CapSolver
 * service sends, and the client's own protocol and deadline errors.
 *
 * Since: 1.0
 */
#define CS_ERROR (cs_error_quark ())

/**
 * CsError:
 * @CS_ERROR_FAILED: an error code this version does not know; the message
 *   keeps the code text as the server sent it
 * @CS_ERROR_PROTOCOL: the reply was not the CapSolver protocol (not JSON,
 *   too large, wrong shape); the message names the HTTP status
 * @CS_ERROR_TIMEOUT: the client's own deadline or poll budget ran out; the
 *   task keeps its task id so that solving it again resumes polling
 * @CS_ERROR_SERVICE_UNAVAILABLE: `ERROR_SERVICE_UNAVALIABLE` (sic, the wire
 *   spelling) or `ERROR_SERVICE_UNAVAILABLE`: the service is overloaded
 * @CS_ERROR_RATE_LIMIT: `ERROR_RATE_LIMIT`: the package's request rate was exceeded
 * @CS_ERROR_INVALID_TASK_DATA: `ERROR_INVALID_TASK_DATA`: the task's fields
 *   are missing or invalid; the description says which
 * @CS_ERROR_BAD_REQUEST: `ERROR_BAD_REQUEST`: the request was refused
 * @CS_ERROR_TASKID_INVALID: `ERROR_TASKID_INVALID`: the task id is unknown or expired
 * @CS_ERROR_TASK_TIMEOUT: `ERROR_TASK_TIMEOUT`: the service did not solve the task in time
 * @CS_ERROR_SETTLEMENT_FAILED: `ERROR_SETTLEMENT_FAILED`: billing for the task failed
 * @CS_ERROR_KEY_DENIED_ACCESS: `ERROR_KEY_DENIED_ACCESS`: the API key is wrong
 *   (the service also uses it when the balance is insufficient)
 * @CS_ERROR_ZERO_BALANCE: `ERROR_ZERO_BALANCE`: the account has no balance
 * @CS_ERROR_TASK_NOT_SUPPORTED: `ERROR_TASK_NOT_SUPPORTED`: unknown task type
 * @CS_ERROR_CAPTCHA_UNSOLVABLE: `ERROR_CAPTCHA_UNSOLVABLE`: the captcha could
 *   not be solved (not charged); a new task may succeed
 * @CS_ERROR_UNKNOWN_QUESTION: `ERROR_UNKNOWN_QUESTION`: unknown question id
 * @CS_ERROR_PROXY_BANNED: `ERROR_PROXY_BANNED`: the target banned the proxy
 * @CS_ERROR_INVALID_IMAGE: `ERROR_INVALID_IMAGE`: the image size is not accepted
 * @CS_ERROR_PARSE_IMAGE_FAIL: `ERROR_PARSE_IMAGE_FAIL`: the image could not be decoded
 * @CS_ERROR_IP_BANNED: `ERROR_IP_BANNED`: this IP is blocked after too many errors
 * @CS_ERROR_KEY_TEMP_BLOCKED: `ERROR_KEY_TEMP_BLOCKED`: the key is blocked for five minutes
 * @CS_ERROR_KEY_DOES_NOT_EXIST: `ERROR_KEY_DOES_NOT_EXIST`: the key is malformed
 * @CS_ERROR_TASK_NOT_FOUND: `ERROR_TASK_NOT_FOUND`: no such task
 * @CS_ERROR_NO_SLOT_AVAILABLE: `ERROR_NO_SLOT_AVAILABLE`: no worker is free
 * @CS_ERROR_INTERNAL_SERVER_ERROR: `ERROR_INTERNAL_SERVER_ERROR`: the service failed
 * @CS_ERROR_REQUIRED_FIELDS: `ERROR_REQUIRED_FIELDS`: a required field is missing
 * @CS_ERROR_THREADS_MAXIMUM: `ERROR_THREADS_MAXIMUM`: too many tasks at once
 * @CS_ERROR_PAGE_NOT_FOUND: `ERROR_PAGE_NOT_FOUND`: no such API method
 * @CS_ERROR_ACCOUNT_SUSPENDED: `ERROR_ACCOUNT_SUSPENDED`: the account is
 *   suspended (Since: 1.0)
 * @CS_ERROR_IP_NOT_ALLOWED: `ERROR_IP_NOT_ALLOWED`: the key may only be used
 *   from the addresses of its allowlist, and this is not one (Since: 1.0)
 * @CS_ERROR_POLLS_EXHAUSTED: the client's own: the task was polled as often
 *   as [property@Client:max-polls] allows (the service answers at most 120 polls
 *   per task and then forgets it); it cannot be polled again, only a new
 *   task can be created
 *
 * Errors in the [error@CapSolver.Error] domain. Messages read
 * `ERROR_CODE: description`, with anything that looks like an API key
 * replaced by `[REDACTED]`.
 *
 * Since: 1.0
 */
typedef enum {
  CS_ERROR_FAILED,
  CS_ERROR_PROTOCOL,
  CS_ERROR_TIMEOUT,
  CS_ERROR_SERVICE_UNAVAILABLE,
  CS_ERROR_RATE_LIMIT,
  CS_ERROR_INVALID_TASK_DATA,
  CS_ERROR_BAD_REQUEST,
  CS_ERROR_TASKID_INVALID,
  CS_ERROR_TASK_TIMEOUT,
  CS_ERROR_SETTLEMENT_FAILED,
  CS_ERROR_KEY_DENIED_ACCESS,
  CS_ERROR_ZERO_BALANCE,
  CS_ERROR_TASK_NOT_SUPPORTED,
  CS_ERROR_CAPTCHA_UNSOLVABLE,
  CS_ERROR_UNKNOWN_QUESTION,
  CS_ERROR_PROXY_BANNED,
  CS_ERROR_INVALID_IMAGE,
  CS_ERROR_PARSE_IMAGE_FAIL,
  CS_ERROR_IP_BANNED,
  CS_ERROR_KEY_TEMP_BLOCKED,
  CS_ERROR_KEY_DOES_NOT_EXIST,
  CS_ERROR_TASK_NOT_FOUND,
  CS_ERROR_NO_SLOT_AVAILABLE,
  CS_ERROR_INTERNAL_SERVER_ERROR,
  CS_ERROR_REQUIRED_FIELDS,
  CS_ERROR_THREADS_MAXIMUM,
  CS_ERROR_PAGE_NOT_FOUND,
  CS_ERROR_POLLS_EXHAUSTED,
  CS_ERROR_ACCOUNT_SUSPENDED,
  CS_ERROR_IP_NOT_ALLOWED,
} CsError;

/**
 * CsRetryClass:
 * @CS_RETRY_CLASS_PERMANENT: fix the input, the key or the account; do not
 *   retry automatically
 * @CS_RETRY_CLASS_TRANSIENT: the same request may succeed later; back off
 * @CS_RETRY_CLASS_COOLDOWN: stop all traffic with this key for the cooldown
 *   (see [func@CapSolver.Error.get_cooldown])
 * @CS_RETRY_CLASS_NEW_TASK: this task is over, but a new task may succeed
 *   (it is a new, billed, solve attempt)
 *
 * What a caller can do about an error.
 *
 * Since: 1.0
 */
typedef enum {
  CS_RETRY_CLASS_PERMANENT,
  CS_RETRY_CLASS_TRANSIENT,
  CS_RETRY_CLASS_COOLDOWN,
  CS_RETRY_CLASS_NEW_TASK,
} CsRetryClass;

CS_AVAILABLE_IN_ALL
GQuark        cs_error_quark           (void);

CS_AVAILABLE_IN_ALL
CsError       cs_error_from_code       (const char   *code_text);
CS_AVAILABLE_IN_ALL
const char   *cs_error_to_code         (CsError       code);

CS_AVAILABLE_IN_ALL
CsRetryClass  cs_error_code_get_retry_class (CsError  code);
CS_AVAILABLE_IN_ALL
CsRetryClass  cs_error_get_retry_class (const GError *error);
CS_AVAILABLE_IN_ALL
guint         cs_error_get_cooldown    (const GError *error);
CS_AVAILABLE_IN_ALL
char         *cs_error_get_code_text   (const GError *error);
CS_AVAILABLE_IN_ALL
char         *cs_error_get_description (const GError *error);

G_END_DECLS
