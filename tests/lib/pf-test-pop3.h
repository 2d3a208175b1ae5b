/* pf-test-pop3.h — a PfPop3Client and the scripted server it talks to, set
 * up the way the engine's tests set them up
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pf-pop3-client.h"
#include "pf-server-settings.h"
#include "pf-test-certs.h"
#include "pf-test-dovecot.h"
#include "pf-test-server.h"

G_BEGIN_DECLS

/* A scripted server in @mode with a certificate of @kind (for TLS and
 * STLS) and @script for its first connection. */
PfTestServer     *pf_test_pop3_server          (PfTestServerMode   mode,
                                                PfTestCertKind     kind,
                                                const char        *script);

/* A real Dovecot (skipping the test without one; see
 * pf_test_dovecot_start_or_skip()) with @user, whose password is
 * @password, and @count messages of @size bytes in that mailbox. */
PfTestDovecot    *pf_test_pop3_dovecot         (const char        *user,
                                                const char        *password,
                                                guint              count,
                                                gsize              size);

/* Settings for 127.0.0.1 at @server's port with @security: the server
 * identity "localhost" its test certificates carry, the test CA as the
 * only trusted one, and @timeout_seconds. */
PfServerSettings *pf_test_pop3_settings        (PfTestServer      *server,
                                                PfSecurity         security,
                                                guint              timeout_seconds);

/* Connect and log in, both of which must work. */
void              pf_test_pop3_log_in          (PfPop3Client      *client,
                                                const char        *user,
                                                const char        *secret,
                                                PfAuthMechanism    mechanism,
                                                guint              timeout_seconds);

/* RETR (@top < 0) or TOP @msgno @top; on success the byte count the client
 * reports must match what it wrote. @data (NULL: not wanted) receives the
 * message, NUL-terminated, and @len (may be NULL) its length. */
gboolean          pf_test_pop3_retrieve        (PfPop3Client      *client,
                                                guint              msgno,
                                                gint               top,
                                                char             **data,
                                                gsize             *len,
                                                guint              timeout_seconds,
                                                GError           **error);

G_END_DECLS
