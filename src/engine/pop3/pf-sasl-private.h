/* pf-sasl-private.h — test hooks for the SASL mechanisms
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pf-sasl.h"

G_BEGIN_DECLS

/* Replace the random SCRAM client nonce so published test vectors can be
 * replayed. Only before the first pf_sasl_step(). Never for real logins. */
void pf_sasl_set_client_nonce (PfSasl     *sasl,
                               const char *nonce);

/* Lower the accepted SCRAM iteration count, so a fuzzer spends its time on
 * parsing rather than in PBKDF2. */
void pf_sasl_set_max_iterations (PfSasl *sasl,
                                 guint   max_iterations);

G_END_DECLS
