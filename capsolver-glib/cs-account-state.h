/* cs-account-state.h: what a client may send for its account
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
 * CsAccountState:
 * @CS_ACCOUNT_STATE_USABLE: requests are sent
 * @CS_ACCOUNT_STATE_PAUSED: a cooldown (`ERROR_RATE_LIMIT`,
 *   `ERROR_KEY_TEMP_BLOCKED`, `ERROR_IP_BANNED`, an HTTP 429, or
 *   [method@Client.pause]): no request is sent until it ends
 * @CS_ACCOUNT_STATE_NO_BALANCE: the account has no money
 *   (`ERROR_ZERO_BALANCE`, `ERROR_SETTLEMENT_FAILED`): no task is created
 *   until a balance read shows some; polls and balance reads are sent
 * @CS_ACCOUNT_STATE_REFUSED: the service refused the key or the account
 *   (`ERROR_KEY_DENIED_ACCESS`, `ERROR_KEY_DOES_NOT_EXIST`,
 *   `ERROR_ACCOUNT_SUSPENDED`, `ERROR_IP_NOT_ALLOWED`): no request is sent with it until the key
 *   changes or [method@Client.resume] is called
 *
 * What a [class@Client] sends for its account (its key at its base URL),
 * as [property@Client:account-state] tells. Every client of the process
 * with the same key and base URL shares the state. A call that the state
 * holds back ends at once with the error that set it, saying that nothing
 * was sent. `docs/errors.md` has the table of the codes.
 *
 * Since: 1.0
 */
typedef enum {
  CS_ACCOUNT_STATE_USABLE,
  CS_ACCOUNT_STATE_PAUSED,
  CS_ACCOUNT_STATE_NO_BALANCE,
  CS_ACCOUNT_STATE_REFUSED,
} CsAccountState;

G_END_DECLS
