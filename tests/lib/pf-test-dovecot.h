/* pf-test-dovecot.h — a private instance of the real Dovecot for tests
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Dovecot 2.3 (/usr/sbin/dovecot) in the foreground as a child of the test,
 * with its own configuration, base_dir, state_dir, log and passwd-file in a
 * private temporary directory; never the system service. It listens on two
 * free loopback ports: POP3 with STLS, and POP3S (implicit TLS), with a
 * certificate for localhost, 127.0.0.1 and ::1 signed by the test CA of
 * pf-test-certs.
 *
 * Settings tests may rely on:
 *   disable_plaintext_auth = no      (so "no encryption" accounts can log in)
 *   auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256 apop
 *   passwords stored as {PLAIN}      (every mechanism works)
 *   mail_location = maildir:~/Maildir
 *   pop3_uidl_format = %08Xu%08Xv
 *   pop3_lock_session = yes          (a second session gets -ERR [IN-USE])
 *   auth_failure_delay = 0, no per-IP auth penalty (rejections answer at once)
 *   one passwd-file per user         (users added after start log in at once;
 *                                     changing a password waits about 1 s)
 *
 * Dovecot dies with the test process even on abort (PR_SET_PDEATHSIG). As
 * root, mail is accessed as nobody/nogroup; otherwise everything runs as the
 * invoking user. Set PF_TEST_KEEP_DOVECOT=1 to keep the directory (and its
 * dovecot.log) after stop for debugging. */
typedef struct _PfTestDovecot PfTestDovecot;

#define PF_TEST_DOVECOT_PROGRAM "/usr/sbin/dovecot"

PfTestDovecot *pf_test_dovecot_start            (GError        **error);
/* The same with a certificate for @cert_names (see pf_test_certs_server). */
PfTestDovecot *pf_test_dovecot_start_with_names (const char * const *cert_names,
                                                 GError            **error);

/* What a test may change about the instance; zero-filled means the
 * defaults above. */
typedef struct
{
  /* NULL: localhost, 127.0.0.1 and ::1 (see pf_test_certs_server). */
  const char * const *cert_names;
  /* When set, an oauth2 passdb after the passwd-file one: Dovecot checks
   * an access token by POSTing it to this RFC 7662 introspection URL
   * (introspection_mode = post) and takes "username" as the user name,
   * "active": true as valid (pf-test-oauth's /introspect). auth_mechanisms
   * gains xoauth2 and oauthbearer. */
  const char         *oauth2_introspection_url;
  /* With an introspection URL: no passwd-file passdb at all, and
   * auth_mechanisms = plain login xoauth2 oauthbearer (PLAIN then takes a
   * token as the password). */
  gboolean            oauth2_only;
} PfTestDovecotOptions;

PfTestDovecot *pf_test_dovecot_start_full       (const PfTestDovecotOptions *options,
                                                 GError                    **error);

/* Starts Dovecot for the current test; when it is not installed, skips the
 * test (or fails it when REQUIRE_DOVECOT=1) and returns NULL; the caller
 * then returns. A Dovecot that is installed but fails to start fails the
 * test. */
PfTestDovecot *pf_test_dovecot_start_or_skip    (void);

/* Same as pf_test_dovecot_start_or_skip() with an oauth2 passdb that
 * asks @introspection_url, next to the password one. */
PfTestDovecot *pf_test_dovecot_start_oauth2_or_skip (const char *introspection_url);

/* Ends Dovecot, waits for it, removes its directory and frees. */
void           pf_test_dovecot_stop             (PfTestDovecot  *self);

guint16        pf_test_dovecot_get_port         (PfTestDovecot  *self);  /* POP3 + STLS */
guint16        pf_test_dovecot_get_tls_port     (PfTestDovecot  *self);  /* implicit TLS */
const char    *pf_test_dovecot_get_ca_file      (PfTestDovecot  *self);
/* Trusts exactly the test CA. (transfer none) */
GTlsDatabase  *pf_test_dovecot_get_tls_database (PfTestDovecot  *self);
/* The private directory; dovecot.log lives there. */
const char    *pf_test_dovecot_get_dir          (PfTestDovecot  *self);

/* Adds (or changes the password of) a user; works without a restart.
 * Neither may contain ':' or a line break. Creates the user's Maildir. */
gboolean       pf_test_dovecot_add_user         (PfTestDovecot  *self,
                                                 const char     *user,
                                                 const char     *password,
                                                 GError        **error);
/* A user who signs in with OAuth2 only: creates the Maildir; no password
 * is written, the oauth2 passdb answers for the user. */
gboolean       pf_test_dovecot_add_oauth2_user  (PfTestDovecot  *self,
                                                 const char     *user,
                                                 GError        **error);
/* Path of the user's Maildir (with cur/, new/, tmp/). */
char          *pf_test_dovecot_get_maildir      (PfTestDovecot  *self,
                                                 const char     *user);
/* Delivers one message into the user's Maildir new/, as given (use LF line
 * endings, as Dovecot stores them). */
gboolean       pf_test_dovecot_add_message      (PfTestDovecot  *self,
                                                 const char     *user,
                                                 const char     *data,
                                                 gsize           len,
                                                 GError        **error);
/* Delivers @count generated messages of about @size bytes each (at least
 * the headers), each with a unique Message-ID and Subject "Message N". */
gboolean       pf_test_dovecot_add_messages     (PfTestDovecot  *self,
                                                 const char     *user,
                                                 guint           count,
                                                 gsize           size,
                                                 GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfTestDovecot, pf_test_dovecot_stop)

G_END_DECLS
